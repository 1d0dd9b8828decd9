package dashboard

import (
	"crypto/subtle"
	"errors"
	"net/http"
)

// loginCookie carries the sign-in form's CSRF token before any session
// exists (double submit: the form's hidden field must equal it).
const loginCookie = "bgpvpn_login"

type loginData struct {
	Fields, Next string
	Form         SignInForm
	SignedOut    bool
	// Ended: the session ended (expired, or its token refused).
	Ended bool
}

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	d.showLogin(w, r, http.StatusOK, loginData{Next: r.URL.Query().Get("next"), SignedOut: r.URL.Query().Has("signed_out"),
		Ended: r.URL.Query().Has("ended")}, "")
}

func (d *Dashboard) showLogin(w http.ResponseWriter, r *http.Request, status int, data loginData, errMsg string) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: basePath, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 3600})
	data.Fields = d.signIn.Fields()
	data.Form.Password = ""
	d.renderStatus(w, r, nil, status, "login", page{Title: "Sign in", CSRF: token, Error: errMsg, Data: data})
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		d.showLogin(w, r, http.StatusBadRequest, loginData{}, "The form could not be read.")
		return
	}
	f := SignInForm{User: r.PostForm.Get("user"), Password: r.PostForm.Get("password"),
		Project: r.PostForm.Get("project"), Domain: r.PostForm.Get("domain"), Roles: r.PostForm.Get("roles")}
	data := loginData{Next: r.PostForm.Get("next"), Form: f}
	c, err := r.Cookie(loginCookie)
	tok := r.PostForm.Get("csrf_token")
	if err != nil || tok == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(tok)) != 1 {
		d.showLogin(w, r, http.StatusForbidden, data, "This form has expired or did not come from this dashboard; please sign in again.")
		return
	}
	who, err := d.signIn.SignIn(r.Context(), f)
	if err != nil {
		msg := err.Error()
		status := http.StatusBadRequest
		if errors.Is(err, ErrBadCredentials) {
			status = http.StatusUnauthorized
		} else if d.signIn.Fields() == "password" {
			d.log.Error("dashboard sign-in failed", "error", err)
			msg, status = "Signing in failed: "+msg, http.StatusBadGateway
		}
		d.showLogin(w, r, status, data, msg)
		return
	}
	ss := d.sessions.start(who)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: basePath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	setCookie(w, r, ss)
	http.Redirect(w, r, safeNext(data.Next), http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, ss *session) {
	d.sessions.end(ss)
	clearCookie(w, r)
	http.Redirect(w, r, basePath+"login?signed_out=1", http.StatusSeeOther)
}
