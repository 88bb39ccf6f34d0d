package django_test

import (
	"encoding/json"
	"errors"
	"iter"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gatehouse/gatehouse/adapters/django"
	"github.com/gatehouse/gatehouse/domain"
)

// secrets is testdata/django-dumpdata-secrets.json: the passwords and token keys of the users
// in testdata/django-dumpdata.json, which a real Django 3.2 with DRF wrote.
type secrets struct {
	Users []struct {
		Username string
		Password *string
		IsActive bool `json:"is_active"`
	}
	Tokens []struct{ Username, Key string }
}

func loadSecrets(t *testing.T) secrets {
	t.Helper()
	raw, err := os.ReadFile("testdata/django-dumpdata-secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	var s secrets
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func collect(t *testing.T, seq iter.Seq2[domain.ImportRecord, error]) ([]domain.ImportedUser, []domain.ImportedToken, error) {
	t.Helper()
	var users []domain.ImportedUser
	var tokens []domain.ImportedToken
	for rec, err := range seq {
		if err != nil {
			return users, tokens, err
		}
		switch {
		case rec.User != nil && rec.Token == nil:
			users = append(users, *rec.User)
		case rec.Token != nil && rec.User == nil:
			tokens = append(tokens, *rec.Token)
		default:
			t.Fatalf("record %+v has not exactly one of User and Token", rec)
		}
	}
	return users, tokens, nil
}

func TestDumpdataReadsTheDjangoFixture(t *testing.T) {
	f, err := os.Open("testdata/django-dumpdata.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	users, tokens, err := collect(t, django.NewDumpdata(f).Records())
	if err != nil {
		t.Fatal(err)
	}
	s := loadSecrets(t)
	if len(users) != len(s.Users) || len(tokens) != len(s.Tokens) {
		t.Fatalf("read %d users and %d tokens, want %d and %d", len(users), len(tokens), len(s.Users), len(s.Tokens))
	}
	pkOf := map[string]int64{}
	for i, u := range users {
		if u.Username != s.Users[i].Username || u.IsActive != s.Users[i].IsActive || u.SourceID != int64(i+1) {
			t.Errorf("user %d = %q active %v pk %d, want %q active %v pk %d", i, u.Username, u.IsActive, u.SourceID, s.Users[i].Username, s.Users[i].IsActive, i+1)
		}
		pkOf[u.Username] = u.SourceID
	}
	alice := users[0]
	wantJoined := time.Date(2026, time.November, 29, 2, 51, 8, 178_000_000, time.UTC)
	if alice.Email != "alice@example.com" || !alice.DateJoined.Equal(wantJoined) || !strings.HasPrefix(alice.PasswordHash, "pbkdf2_sha256$260000$") {
		t.Errorf("alice = %+v", alice)
	}
	if users[3].Email != "" {
		t.Errorf("dave's email = %q, want empty", users[3].Email)
	}
	keys := map[string]int64{}
	for _, tok := range tokens {
		keys[tok.Key] = tok.SourceUserID
	}
	for _, want := range s.Tokens {
		if keys[want.Key] != pkOf[want.Username] {
			t.Errorf("token of %s: owner pk %d, want %d", want.Username, keys[want.Key], pkOf[want.Username])
		}
	}
}

func TestDumpdataAcceptsDjangoVariants(t *testing.T) {
	const user = `{"model": "auth.user", "pk": 3, "fields": {"password": "!x", "username": "u", "is_active": false, "date_joined": %q}}`
	tests := []struct {
		name, date string
		want       time.Time
	}{
		{"UTC with milliseconds", "2021-01-02T03:04:05.678Z", time.Date(2021, 1, 2, 3, 4, 5, 678e6, time.UTC)},
		{"offset", "2021-01-02T05:04:05+02:00", time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"naive (USE_TZ off)", "2021-01-02T03:04:05.123456", time.Date(2021, 1, 2, 3, 4, 5, 123456e3, time.UTC)},
		{"naive without fraction", "2021-01-02T03:04:05", time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "[" + strings.Replace(user, "%q", `"`+tt.date+`"`, 1) + "]"
			users, _, err := collect(t, django.NewDumpdata(strings.NewReader(in)).Records())
			if err != nil || len(users) != 1 || !users[0].DateJoined.Equal(tt.want) || users[0].DateJoined.Location() != time.UTC {
				t.Errorf("read %+v, %v; want date_joined %v", users, err, tt.want)
			}
		})
	}
}

func TestDumpdataSkipsOtherModels(t *testing.T) {
	in := `[{"model": "contenttypes.contenttype", "pk": 1, "fields": {"app_label": "auth"}},
		{"model": "auth.user", "pk": 1, "fields": {"password": "!", "username": "a", "is_active": true, "date_joined": "2021-01-01T00:00:00Z"}},
		{"model": "accounts.user", "pk": 1, "fields": {}}, {"model": "accounts.user", "pk": 2, "fields": {}}]`
	d := django.NewDumpdata(strings.NewReader(in))
	users, _, err := collect(t, d.Records())
	if err != nil || len(users) != 1 {
		t.Fatalf("read %d users, %v; want 1", len(users), err)
	}
	if d.Ignored["accounts.user"] != 2 || d.Ignored["contenttypes.contenttype"] != 1 {
		t.Errorf("Ignored = %v", d.Ignored)
	}
}

const key = "67247232892946d8a7969f0d2c148bb5e05965ba"

func TestDumpdataRefusesMalformedInput(t *testing.T) {
	const fields = `"password": "!", "username": "a", "is_active": true, "date_joined": "2021-01-01T00:00:00Z"`
	tests := []struct{ name, in, want string }{
		{"empty", "", "truncated"},
		{"object, not array", `{"model": "auth.user"}`, `want "["`},
		{"unterminated", `[{"model": "auth.user", "pk": 1, "fields": {` + fields + `}}`, "truncated"},
		{"truncated record", `[{"model": "auth.us`, "truncated"},
		{"invalid JSON", `[{"model": auth}]`, "invalid JSON"},
		{"trailing garbage", `[] []`, "after the closing bracket"},
		{"number as record", `[1]`, "not an object"},
		{"no model", `[{"pk": 1, "fields": {}}]`, "no model"},
		{"string pk", `[{"model": "auth.user", "pk": "x", "fields": {` + fields + `}}]`, "pk"},
		{"zero pk", `[{"model": "auth.user", "pk": 0, "fields": {` + fields + `}}]`, "positive"},
		{"fractional pk", `[{"model": "auth.user", "pk": 1.5, "fields": {` + fields + `}}]`, "positive"},
		{"huge pk", `[{"model": "auth.user", "pk": 99999999999999999999, "fields": {` + fields + `}}]`, "positive"},
		{"fields not an object", `[{"model": "auth.user", "pk": 1, "fields": []}]`, "not an object"},
		{"no fields", `[{"model": "auth.user", "pk": 1}]`, "not an object"},
		{"no username", `[{"model": "auth.user", "pk": 1, "fields": {"password": "!", "is_active": true, "date_joined": "2021-01-01T00:00:00Z"}}]`, "no username"},
		{"null password", `[{"model": "auth.user", "pk": 1, "fields": {"password": null, "username": "a", "is_active": true, "date_joined": "2021-01-01T00:00:00Z"}}]`, "no password"},
		{"no is_active", `[{"model": "auth.user", "pk": 1, "fields": {"password": "!", "username": "a", "date_joined": "2021-01-01T00:00:00Z"}}]`, "no is_active"},
		{"is_active as string", `[{"model": "auth.user", "pk": 1, "fields": {"password": "!", "username": "a", "is_active": "yes", "date_joined": "2021-01-01T00:00:00Z"}}]`, "is_active has the wrong type"},
		{"username as number", `[{"model": "auth.user", "pk": 1, "fields": {"password": "!", "username": 5, "is_active": true, "date_joined": "2021-01-01T00:00:00Z"}}]`, "username has the wrong type"},
		{"bad date", `[{"model": "auth.user", "pk": 1, "fields": {"password": "!", "username": "a", "is_active": true, "date_joined": "yesterday"}}]`, "date_joined"},
		{"token pk not a string", `[{"model": "authtoken.token", "pk": 5, "fields": {"user": 1}}]`, "pk is not a string"},
		{"token natural key", `[{"model": "authtoken.token", "pk": "` + key + `", "fields": {"user": ["alice"]}}]`, "natural key"},
		{"token without user", `[{"model": "authtoken.token", "pk": "` + key + `", "fields": {}}]`, "user"},
		{"token bad created", `[{"model": "authtoken.token", "pk": "` + key + `", "fields": {"user": 1, "created": 5}}]`, "created has the wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := collect(t, django.NewDumpdata(strings.NewReader(tt.in)).Records())
			if !errors.Is(err, django.ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrFormat mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q holds the token key", err)
			}
		})
	}
}

func TestDumpdataReportsReadErrors(t *testing.T) {
	broken := errors.New("disk on fire")
	_, _, err := collect(t, django.NewDumpdata(iotest.ErrReader(broken)).Records())
	if !errors.Is(err, broken) || errors.Is(err, django.ErrFormat) {
		t.Errorf("error = %v, want the read error, not ErrFormat", err)
	}
}

func TestDumpdataStopsWhenTheConsumerDoes(t *testing.T) {
	in := `[{"model": "authtoken.token", "pk": "` + key + `", "fields": {"user": 1}}, {"model": 1}]`
	for rec, err := range django.NewDumpdata(strings.NewReader(in)).Records() {
		if err != nil || rec.Token == nil {
			t.Fatalf("first record = %+v, %v", rec, err)
		}
		break
	}
}
