package hoxton

// TokenTyper is implemented by a TokenSource whose tokens are not all Bearer
// tokens: CAM2 tokens go out as "Authorization: JWT <token>". TokenType returns
// the scheme as oauth2.Token.Type normalises it ("Bearer", "JWT", ...).
type TokenTyper interface {
	TokenType() string
}

// authorization is the Authorization header value for tok.
func (c *Client) authorization(tok string) string {
	scheme := "Bearer"
	if t, ok := c.tokens.(TokenTyper); ok {
		if s := t.TokenType(); s != "" {
			scheme = s
		}
	}
	return scheme + " " + tok
}
