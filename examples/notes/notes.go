package main

import (
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// note is one user's note.
type note struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// notebook keeps every user's notes in memory: the example's own resource, which is not
// Gatehouse's business.
type notebook struct {
	mu    sync.Mutex
	notes map[int64][]note // by user id
	next  int
}

// maxNote bounds a note's text, in bytes.
const maxNote = 4096

// newRouter serves Gatehouse's API under /auth and the notes, which only an authenticated
// user reaches, under /notes.
func newRouter(g *gatehouse.Gatehouse) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	g.Mount(r.Group("/auth")) // POST /auth/v1/auth/signup, /auth/v1/auth/token...
	b := &notebook{notes: map[int64][]note{}}
	notes := r.Group("/notes", g.Middleware())
	notes.GET("", b.list)
	notes.POST("", b.add)
	return r
}

// list answers the user's notes.
func (b *notebook) list(c *gin.Context) {
	p, _ := gatehouse.PrincipalFrom(c.Request.Context())
	b.mu.Lock()
	mine := append([]note{}, b.notes[p.UserID]...)
	b.mu.Unlock()
	c.JSON(http.StatusOK, mine)
}

// add adds a note, {"text": ...}, for the user.
func (b *notebook) add(c *gin.Context) {
	p, _ := gatehouse.PrincipalFrom(c.Request.Context())
	var in struct {
		Text string `json:"text"`
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 2*maxNote)
	if err := c.ShouldBindJSON(&in); err != nil || in.Text == "" || len(in.Text) > maxNote {
		c.JSON(http.StatusBadRequest, gin.H{"detail": "Send {\"text\": ...}, at most 4096 bytes."})
		return
	}
	b.mu.Lock()
	b.next++
	n := note{ID: b.next, Text: in.Text}
	b.notes[p.UserID] = append(b.notes[p.UserID], n)
	b.mu.Unlock()
	c.JSON(http.StatusCreated, n)
}
