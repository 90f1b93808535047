package target

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"time"

	"github.com/nowait/nowait/internal/errmsg"
)

// CertValidity is how long the self-signed certificate of a TLS target is
// valid from its start (it is also valid from a minute before, for clocks
// a little behind).
const CertValidity = 24 * time.Hour

// selfSigned is a certificate made in memory for one target.
type selfSigned struct {
	config *tls.Config
	cert   *x509.Certificate
	pem    []byte // cert, PEM-encoded
}

// newSelfSigned makes an ECDSA P-256 key and a self-signed certificate
// for 127.0.0.1, ::1 and localhost, plus listenHost when it names one host (not "" and not
// an unspecified address such as 0.0.0.0), valid from now for
// CertValidity.
//
// The certificate is its own CA (IsCA, as httptest's is) so that both Go
// (RootCAs) and curl (--cacert) accept it as the trust anchor it is.
func newSelfSigned(listenHost string, now time.Time) (*selfSigned, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot make the TLS certificate (key): %v", err), ErrTLS, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot make the TLS certificate (serial number): %v", err), ErrTLS, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"nowait"}, CommonName: "nowait target"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(CertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	hosts := []string{"127.0.0.1", "::1", "localhost"}
	if ip := net.ParseIP(listenHost); listenHost != "" && (ip == nil || !ip.IsUnspecified()) && !slices.Contains(hosts, listenHost) {
		hosts = append(hosts, listenHost)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot make the TLS certificate (certificate): %v", err), ErrTLS, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errmsg.New(fmt.Sprintf("cannot make the TLS certificate (certificate): %v", err), ErrTLS, err)
	}
	return &selfSigned{
		config: &tls.Config{
			Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
			MinVersion:   tls.VersionTLS12,
			// The target speaks HTTP/1.1 only: a client offering h2
			// gets http/1.1 by ALPN.
			NextProtos: []string{"http/1.1"},
		},
		cert: cert,
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// Certificate returns the self-signed certificate of a TLS target, for a
// client to trust (add it to tls.Config.RootCAs), or nil without TLS.
func (s *Server) Certificate() *x509.Certificate {
	if s.tls == nil {
		return nil
	}
	return s.tls.cert
}

// CertificatePEM returns Certificate PEM-encoded (what curl --cacert
// reads), or nil without TLS.
func (s *Server) CertificatePEM() []byte {
	if s.tls == nil {
		return nil
	}
	return append([]byte(nil), s.tls.pem...)
}

// plainConn returns the TCP connection under c: c itself, or the
// connection under TLS.
func plainConn(c net.Conn) net.Conn {
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
		return tc.NetConn()
	}
	return c
}
