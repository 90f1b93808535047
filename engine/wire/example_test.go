package wire_test

import (
	"fmt"

	"github.com/nowait/nowait/engine/wire"
)

// The caller's loop: append each read after the bytes kept from the last
// call, parse every complete response, keep the rest.
func ExampleParser() {
	reads := []string{
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le",
		"ngth: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil the close",
	}
	var p wire.Parser
	var kept []byte
	for _, read := range reads {
		buf := append(kept, read...)
		for {
			n, done, err := p.Parse(buf, false)
			if err != nil {
				fmt.Println(err)
				return
			}
			buf = buf[n:]
			if !done {
				break
			}
			fmt.Println(p.Status(), p.BodyLen(), p.KeepAlive())
		}
		kept = append(kept[:0:0], buf...) // a real caller copies to the front of its read buffer
	}
	if done, err := p.EOF(); done && err == nil {
		fmt.Println(p.Status(), p.BodyLen(), p.KeepAlive())
	}
	// Output:
	// 200 5 true
	// 404 3 true
	// 200 15 false
}
