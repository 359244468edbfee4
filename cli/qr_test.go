package cli_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zbar decodes the QR code in a PNG with zbarimg (Debian's zbar-tools).
func zbar(t *testing.T, pngPath string) string {
	t.Helper()
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sbinary", pngPath).Output()
	require.NoError(t, err, "zbarimg %s", pngPath)
	return string(out)
}

// TestActivateRequest_QRCodesDecodeToTheRequestFile reads back both QR
// codes a request makes, the PNG and the one drawn on the terminal, with a
// real QR reader.
func TestActivateRequest_QRCodesDecodeToTheRequestFile(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	a := newFieldMachine(t, laptop())
	dir := t.TempDir()
	req := filepath.Join(dir, "req.txt")
	out := a.ok("activate", "--request", req, "LIC-8D6WD-6HSQ4-3WPYW-2GMXC-EHV8A")
	want, err := os.ReadFile(req)
	require.NoError(t, err)

	assert.Equal(t, string(want), zbar(t, filepath.Join(dir, "req.png")))

	// Paint the terminal drawing: each character is two modules high, a
	// block is light (the terminal's foreground on a dark background).
	var art []string
	for _, l := range strings.Split(out, "\n") {
		if strings.ContainsAny(l, "█▀▄") {
			art = append(art, l)
		}
	}
	require.NotEmpty(t, art)
	const px = 4
	w := len([]rune(art[0]))
	img := image.NewGray(image.Rect(0, 0, w*px, 2*len(art)*px))
	for row, l := range art {
		for col, c := range []rune(l) {
			top, bottom := c == '█' || c == '▀', c == '█' || c == '▄'
			for dy := 0; dy < px; dy++ {
				for dx := 0; dx < px; dx++ {
					img.SetGray(col*px+dx, 2*row*px+dy, gray(top))
					img.SetGray(col*px+dx, (2*row+1)*px+dy, gray(bottom))
				}
			}
		}
	}
	shot := filepath.Join(dir, "terminal.png")
	f, err := os.Create(shot)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
	assert.Equal(t, string(want), zbar(t, shot))
}

func gray(light bool) color.Gray {
	if light {
		return color.Gray{Y: 255}
	}
	return color.Gray{Y: 0}
}
