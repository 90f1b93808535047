package scenarios

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/nowait/nowait/stats"
)

// loadCAFile reads a tls.ca_file: PEM certificates to verify an https
// server's certificate against (a CA's, or a self-signed server's own).
// It returns the pool, or nil and a message saying what is wrong.
func loadCAFile(path string) (*x509.CertPool, string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("cannot read %s: %v", path, stats.PathErrCause(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Sprintf("%s holds no PEM certificate; want a file of -----BEGIN CERTIFICATE----- blocks, such as the one 'nowait target --tls --cert-out FILE' writes", path)
	}
	return pool, ""
}
