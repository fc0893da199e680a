package awsemu

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// ServeHTTP answers one AWS API request in the protocol it was made in.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := wire.NewRequestID()
	req, err := e.router.Read(r)
	if err != nil {
		wire.WriteUnreadable(w, err)
		return
	}
	if req.Err != nil {
		e.router.WriteError(w, req, rid, req.Err)
		return
	}
	c := &core.Call{Service: req.Service, Op: req.Op, Region: req.Region, AccessKey: req.AccessKey,
		RequestID: rid, In: req.In, Wire: req}
	out, apiErr := e.dispatch(c)
	if apiErr != nil {
		e.router.WriteError(w, req, rid, apiErr)
		return
	}
	e.router.WriteResult(w, req, rid, out)
}

// dispatch runs the handler under the emulator's lock, after fault injection, counting the call
// (the world turns it into a CloudTrail record).
func (e *Emulator) dispatch(c *core.Call) (any, *wire.APIError) {
	// Faults are consulted under the lock but a delay is slept outside it.
	if delay, ferr := e.inst.inject(c); delay > 0 || ferr != nil {
		if delay > 0 {
			time.Sleep(delay)
		}
		if ferr != nil {
			e.mu.Lock()
			e.inst.record(c, ferr)
			e.mu.Unlock()
			return nil, ferr
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out, apiErr := e.w.Handle(c)
	e.inst.record(c, apiErr)
	return out, apiErr
}

// Server is an Emulator served on a loopback port.
type Server struct {
	URL string
	srv *http.Server
	ln  net.Listener
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Start serves e on 127.0.0.1 on a free port. Point SDK clients at Server.URL (BaseEndpoint or
// AWS_ENDPOINT_URL), with any static credentials, and HTTPClient. Tests within one process can
// skip the socket with InProcessClient.
func Start(e *Emulator) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}
