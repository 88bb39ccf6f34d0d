package gatehouse_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// post sends a JSON body to url and returns the answer's status and body.
func post(url, body string) (string, string) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err.Error(), ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status, string(b)
}

// tokenOf obtains a token for ada, who signs up first, from the API at base.
func tokenOf(base string) string {
	creds := `{"username":"ada","password":"correct horse battery staple"}`
	post(base+"/v1/auth/signup", creds)
	_, body := post(base+"/v1/auth/token", creds)
	token, _, _ := strings.Cut(strings.TrimPrefix(body, `{"token":"`), `"`)
	return token
}

// get asks url with the Authorization header auth (none when empty) and prints the answer.
func get(url, auth string) {
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		fmt.Println(resp.Status, resp.Header.Values("WWW-Authenticate"))
		return
	}
	fmt.Print(resp.Status, " ", string(b))
}

// New assembles the whole service, here on the memory stores of DefaultConfig, and
// Handler serves it as `gatehouse serve` does.
func ExampleNew() {
	g, err := gatehouse.New(context.Background(), gatehouse.DefaultConfig(),
		gatehouse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	status, _ := post(srv.URL+"/v1/auth/signup", `{"username":"ada","password":"correct horse battery staple"}`)
	fmt.Println(status)
	// Output: 201 Created
}

// An application serves Gatehouse's API from its own Gin router and protects its own
// routes with the chain: without credentials they answer 401 with the chain's challenges,
// with a token the handler gets the user. (The README's "Using Gatehouse as a library"
// shows the lines between the markers; a test keeps the two equal.)
func ExampleGatehouse_Middleware() {
	ctx := context.Background()
	// README:begin
	g, err := gatehouse.New(ctx, gatehouse.DefaultConfig()) // memory stores; see Config
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	r := gin.New()
	g.Mount(r) // POST /v1/auth/signup, /v1/auth/token, /v1/auth/login...
	r.GET("/hello", g.Middleware(), func(c *gin.Context) {
		p, _ := gatehouse.PrincipalFrom(c.Request.Context())
		c.String(http.StatusOK, "hello, %s\n", p.Username)
	})
	// README:end

	srv := httptest.NewServer(r)
	defer srv.Close()
	get(srv.URL+"/hello", "")
	get(srv.URL+"/hello", "Token "+tokenOf(srv.URL))
	// Output:
	// 401 Unauthorized [Token realm="gatehouse" Basic realm="gatehouse"]
	// 200 OK hello, ada
}

// Protect does for a net/http handler what Middleware does for Gin.
func ExampleGatehouse_Protect() {
	g, err := gatehouse.New(context.Background(), gatehouse.DefaultConfig(),
		gatehouse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	mux := http.NewServeMux()
	mux.Handle("/v1/auth/", g.Handler())
	mux.Handle("GET /hello", g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := gatehouse.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello, %s (%s)\n", p.Username, p.Method)
	})))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	get(srv.URL+"/hello", "Token nonsense")
	get(srv.URL+"/hello", "Token "+tokenOf(srv.URL))
	// Output:
	// 401 Unauthorized [Token realm="gatehouse" Basic realm="gatehouse"]
	// 200 OK hello, ada (token)
}
