package tests

import (
	"encoding/json"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// TestBrowserAccountsProfile: the accounts example's profile page, from
// its templates, laid out by a real Chromium at phone width: the title and
// heading come from the data, a hostile bio is shown as text (no element
// it tried to inject exists, the title it tried to set is not), and the
// page is no wider than the window.
func TestBrowserAccountsProfile(t *testing.T) {
	t.Parallel()
	b := startBrowser(t, 360, 800)
	s := start(t, "../../examples/accounts/routes.lua", engine.Config{})
	c := client(t)
	if res, body := do(t, c, "POST", s.url+"/signup", `{"user":"ann","password":"correct horse battery"}`); res.StatusCode != 201 {
		t.Fatalf("signup: %d %s", res.StatusCode, body)
	}
	_, body := do(t, c, "POST", s.url+"/login", `{"user":"ann","password":"correct horse battery"}`)
	var login struct{ Token string }
	if err := json.Unmarshal([]byte(body), &login); err != nil || login.Token == "" {
		t.Fatalf("login: %s", body)
	}
	const bio = `<img id=x src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`
	bioJSON, _ := json.Marshal(map[string]string{"bio": bio})
	if res, body := do(t, c, "PUT", s.url+"/api/me", string(bioJSON), "Authorization", "Bearer "+login.Token); res.StatusCode != 200 {
		t.Fatalf("set bio: %d %s", res.StatusCode, body)
	}

	b.open(t, s.url+"/users/ann")
	b.screenshot(t, "accounts-profile-360")
	var page struct {
		Title, H1, Bio string
		Injected       int
		Overflow       float64
	}
	b.eval(t, `({ title: document.title, h1: (document.querySelector("h1") || {}).textContent,
  bio: (document.querySelector(".bio") || {}).textContent,
  injected: document.querySelectorAll("#x, main script, .bio *").length,
  overflow: document.documentElement.scrollWidth - window.innerWidth })`, &page)
	if page.Title != "ann - Accounts" || page.H1 != "ann" {
		t.Errorf("title %q, heading %q", page.Title, page.H1)
	}
	if page.Bio != bio || page.Injected != 0 {
		t.Errorf("the bio is not plain text: %q, %d injected elements", page.Bio, page.Injected)
	}
	if page.Overflow > 0 {
		t.Errorf("the page is %.0f px wider than a 360 px window", page.Overflow)
	}
}
