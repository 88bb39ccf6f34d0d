// Package mailtmpl renders Gatehouse's mails from templates: a subject and a plain-text body
// (text/template) and an HTML body (html/template, which escapes what a user typed, such as
// a username, in HTML context). The templates are embedded; an operator replaces any of them
// with a file of the same name in a directory (GATEHOUSE_MAIL_TEMPLATES).
//
// The wording and the look of a mail are presentation, like the HTTP adapter's pages: the
// use cases say which mail goes to whom with which link, and this package says how it reads.
// Keeping it apart from the SMTP adapter lets either change alone, and lets the templates be
// checked without a mail server.
package mailtmpl

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"os"
	"strings"
	texttemplate "text/template"

	"github.com/gatehouse/gatehouse/domain"
)

// Product is the name the mails give the service.
const Product = "Gatehouse"

//go:embed templates
var embedded embed.FS

// layoutFile is the HTML frame every kind's HTML fills in (its "title" and "content").
const layoutFile = "layout.html"

// Renderer renders mails of every kind; it implements ports.MailRenderer.
type Renderer struct {
	publicURL string // origin, no trailing slash
	text      map[domain.MailKind]*texttemplate.Template
	html      map[domain.MailKind]*htmltemplate.Template
}

// data is what a template sees.
type data struct {
	Product   string
	PublicURL string // the origin links point to, e.g. https://auth.example.com
	Username  string
	Link      string // absolute; "" for kinds without a link
	NewEmail  string
	To        string
	// At, IP and Browser describe the change a notice reports: At in UTC as
	// "2006-01-02 15:04 UTC", Browser the client's User-Agent; "" when unknown.
	At      string
	IP      string
	Browser string
}

// New parses the templates, each replaced by a file of the same name in dir when dir is not
// "", and renders every kind once with sample data, so a broken override fails at start-up
// rather than at the first mail. publicURL is the origin links point to. A file in dir that
// is not a known template name is refused too: a misspelt override would otherwise be
// ignored without a word.
func New(dir, publicURL string) (*Renderer, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("mail templates: public URL %q is not an origin such as https://auth.example.com", publicURL)
	}
	src, err := sources(dir)
	if err != nil {
		return nil, err
	}
	r := &Renderer{
		publicURL: strings.TrimSuffix(publicURL, "/"),
		text:      map[domain.MailKind]*texttemplate.Template{},
		html:      map[domain.MailKind]*htmltemplate.Template{},
	}
	for _, k := range domain.MailKinds() {
		name := string(k)
		t, err := texttemplate.New(name + ".txt").Option("missingkey=error").Parse(src.read(name + ".txt"))
		if err != nil {
			return nil, src.wrap(name+".txt", err)
		}
		if t.Lookup("subject") == nil {
			return nil, src.wrap(name+".txt", errors.New(`no {{define "subject"}}…{{end}}`))
		}
		h, err := htmltemplate.New(layoutFile).Option("missingkey=error").Parse(src.read(layoutFile))
		if err == nil {
			h, err = h.New(name + ".html").Parse(src.read(name + ".html"))
		}
		if err != nil {
			return nil, src.wrap(name+".html", err)
		}
		r.text[k], r.html[k] = t, h
		if err := r.check(k); err != nil {
			return nil, src.wrap(name, err)
		}
	}
	return r, nil
}

// check renders kind k with sample data and insists on what every reader needs: a one-line
// subject, both bodies, and the link in both when the kind has one.
func (r *Renderer) check(k domain.MailKind) error {
	m := domain.Mail{Kind: k, To: "sample@example.com", Username: "sample", NewEmail: "new@example.com"}
	if k.HasLink() {
		m.Link = "/sample-link?token=sample-token"
	}
	msg, err := r.Render(m)
	if err != nil {
		return err
	}
	if msg.Subject == "" || strings.TrimSpace(msg.Text) == "" || strings.TrimSpace(msg.HTML) == "" {
		return errors.New("renders an empty subject or body")
	}
	if link := r.publicURL + m.Link; k.HasLink() && (!strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link)) {
		return errors.New("does not show the link ({{.Link}}) in both the text and the HTML")
	}
	return nil
}

// Render implements ports.MailRenderer.
func (r *Renderer) Render(m domain.Mail) (domain.Message, error) {
	t, h := r.text[m.Kind], r.html[m.Kind]
	if t == nil || h == nil {
		return domain.Message{}, fmt.Errorf("mail templates: unknown kind %q", m.Kind)
	}
	d := data{Product: Product, PublicURL: r.publicURL, Username: m.Username, NewEmail: m.NewEmail, To: m.To,
		IP: m.IP, Browser: m.UserAgent}
	if !m.At.IsZero() {
		d.At = m.At.UTC().Format("2006-01-02 15:04 UTC")
	}
	switch {
	case m.Kind.HasLink() && m.Link == "":
		return domain.Message{}, fmt.Errorf("mail templates: %s needs a link", m.Kind)
	case m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.HasPrefix(m.Link, "/\\")):
		// Never an absolute or scheme-relative link: every link points at our own origin.
		return domain.Message{}, fmt.Errorf("mail templates: %s link is not a path", m.Kind)
	case m.Link != "":
		d.Link = r.publicURL + m.Link
	}
	var subject, text, html bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", d); err != nil {
		return domain.Message{}, fmt.Errorf("mail templates: %s subject: %w", m.Kind, err)
	}
	if err := t.Execute(&text, d); err != nil {
		return domain.Message{}, fmt.Errorf("mail templates: %s text: %w", m.Kind, err)
	}
	if err := h.ExecuteTemplate(&html, "layout", d); err != nil {
		return domain.Message{}, fmt.Errorf("mail templates: %s HTML: %w", m.Kind, err)
	}
	// A subject is one header line: a line break from a template or a username would start
	// a header of its own (header injection), so every run of white space becomes one space.
	return domain.Message{
		To:      m.To,
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimLeft(text.String(), "\n"),
		HTML:    html.String(),
	}, nil
}

// source reads templates from an operator's directory first, then from the embedded ones.
type source struct {
	dir      string
	override map[string]string
}

func sources(dir string) (*source, error) {
	s := &source{dir: dir, override: map[string]string{}}
	if dir == "" {
		return s, nil
	}
	known := map[string]bool{layoutFile: true}
	for _, k := range domain.MailKinds() {
		known[string(k)+".txt"], known[string(k)+".html"] = true, true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !known[e.Name()] {
			return nil, fmt.Errorf("mail templates: %s in %s is no template Gatehouse knows (want <kind>.txt, <kind>.html or %s)",
				e.Name(), dir, layoutFile)
		}
		b, err := fs.ReadFile(os.DirFS(dir), e.Name())
		if err != nil {
			return nil, fmt.Errorf("mail templates: %w", err)
		}
		s.override[e.Name()] = string(b)
	}
	return s, nil
}

func (s *source) read(name string) string {
	if v, ok := s.override[name]; ok {
		return v
	}
	b, err := embedded.ReadFile("templates/" + name)
	if err != nil {
		panic("mailtmpl: embedded template missing: " + name) // a build without its templates
	}
	return string(b)
}

// wrap names where a broken template came from.
func (s *source) wrap(name string, err error) error {
	from := "embedded"
	if _, ok := s.override[name]; ok || s.overridden(name) {
		from = s.dir
	}
	return fmt.Errorf("mail templates: %s (%s): %w", name, from, err)
}

func (s *source) overridden(kind string) bool {
	_, txt := s.override[kind+".txt"]
	_, html := s.override[kind+".html"]
	_, layout := s.override[layoutFile]
	return txt || html || layout
}
