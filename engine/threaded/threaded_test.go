package threaded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
)

func TestThreadLimitRefused(t *testing.T) {
	err := threadsAvailable(1 << 40)
	if !errors.Is(err, ErrThreadLimit) || !strings.Contains(err.Error(), "leaves room for") {
		t.Fatalf("got %v", err)
	}
	if err := threadsAvailable(10); err != nil {
		t.Fatal(err)
	}
}

func TestRunRefusesTooManyThreads(t *testing.T) {
	p := enginetest.Plan("127.0.0.1:9")
	p.Connections = 50_000_000
	start := time.Now()
	_, err := New().Run(context.Background(), p)
	if !errors.Is(err, ErrThreadLimit) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %s; want ErrThreadLimit at once", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "50,000,000 connections need 50,000,") {
		t.Errorf("the counts have no thousands separators: %v", err)
	}
	t.Log(err)
}
