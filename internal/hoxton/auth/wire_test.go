package auth

import (
	"runtime"
	"strings"
	"testing"
)

// A token endpoint is the tenant's to choose too: an answer holding a list of a
// million empty objects costs its bytes, not a million decoded maps.
func TestHugeTokenAnswersAreNotDecoded(t *testing.T) {
	body := `{"access_token":"tok","expires_in":3600,"junk":[{}` + strings.Repeat(",{}", (maxAnswer-100)/3) + `]}`
	url, _ := fixedAnswer(t, "application/json", body)
	src := newTestCache(t, newClock(), Options{}).Source(Credentials{Dialect: DialectCamStreamer, Grant: GrantRefreshToken,
		TokenURL: url, ClientID: "c", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}, nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	mustToken(t, src)
	runtime.ReadMemStats(&after)
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 8<<20 {
		t.Errorf("one token answer of %d KiB allocated %d MiB", len(body)>>10, allocated>>20)
	}
}
