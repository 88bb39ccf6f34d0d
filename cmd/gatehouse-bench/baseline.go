package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"log"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// meView is what the baseline answers: the shape of Gatehouse's /me.
type meView struct {
	ID         int64     `json:"id"`
	Username   string    `json:"username"`
	Email      string    `json:"email"`
	DateJoined time.Time `json:"date_joined"`
	Auth       struct {
		Method  string `json:"method"`
		TokenID string `json:"token_id"`
	} `json:"auth"`
}

// serveBaseline runs the smallest Gin server that does what an authenticated GET /me must
// at least do on the profile: nothing but c.JSON (memory), one Redis GET (redis), or one
// primary-key SELECT (mysql). Its address comes in GATEHOUSE_ADDR, like Gatehouse's; key is
// the Redis key or the hex secret hash of the row to read.
//
// POST /hash is the ceiling of the paths that check a password: one argon2id verification
// with the production parameters per request, at most one per CPU at once (cores ÷ hash time
// requests a second), measured like every other baseline: over HTTP, under the same load, in
// the same run.
func serveBaseline(profile, redisURL, mysqlDSN, key string) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	view := meView{ID: 1, Username: "bench", Email: "bench@example.com", DateJoined: time.Now().UTC()}
	view.Auth.Method, view.Auth.TokenID = "token", "0123456789abcdef0123456789abcdef"
	e.GET("/healthz", func(c *gin.Context) { c.Status(http.StatusOK) })
	h, err := passhash.New(passhash.DefaultParams())
	if err != nil {
		log.Fatal(err)
	}
	encoded, err := h.Hash(benchPassword)
	if err != nil {
		log.Fatal(err)
	}
	slots := make(chan struct{}, runtime.NumCPU())
	e.POST("/hash", func(c *gin.Context) {
		slots <- struct{}{}
		ok, _ := h.Verify(benchPassword, encoded)
		<-slots
		if !ok {
			c.Status(http.StatusInternalServerError)
			return
		}
		c.JSON(http.StatusOK, view)
	})
	switch profile {
	case "memory":
		e.GET("/me", func(c *gin.Context) { c.JSON(http.StatusOK, view) })
	case "redis":
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			log.Fatal(err)
		}
		rdb := redis.NewClient(opt)
		e.GET("/me", func(c *gin.Context) {
			ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
			defer cancel()
			if _, err := rdb.Get(ctx, key).Result(); err != nil {
				c.Status(http.StatusServiceUnavailable)
				return
			}
			c.JSON(http.StatusOK, view)
		})
	case "mysql":
		cfg, err := mysql.ParseDSN(mysqlDSN)
		if err != nil {
			log.Fatal(err)
		}
		cfg.ParseTime, cfg.InterpolateParams = true, true // as mysqlstore forces them
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			log.Fatal(err)
		}
		db.SetMaxOpenConns(20) // Gatehouse's default pool
		db.SetMaxIdleConns(20)
		h, err := hex.DecodeString(key)
		if err != nil {
			log.Fatal(err)
		}
		e.GET("/me", func(c *gin.Context) {
			ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
			defer cancel()
			var (
				user int64
				name string
			)
			err := db.QueryRowContext(ctx, "SELECT user_id, name FROM gatehouse_tokens WHERE secret_hash = ?", h).Scan(&user, &name)
			if err != nil {
				c.Status(http.StatusServiceUnavailable)
				return
			}
			c.JSON(http.StatusOK, view)
		})
	default:
		log.Fatalf("unknown profile %q", profile)
	}
	srv := &http.Server{Addr: os.Getenv("GATEHOUSE_ADDR"), Handler: e, ReadHeaderTimeout: 5 * time.Second}
	serve(srv, "baseline")
}
