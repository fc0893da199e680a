package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// printer writes the story: numbered steps, indented detail.
type printer struct {
	w io.Writer
	n int
}

func (p *printer) title(s string) { fmt.Fprintf(p.w, "\n%s\n", s) }
func (p *printer) say(s string)   { fmt.Fprintf(p.w, "   %s\n", s) }
func (p *printer) note(s string)  { fmt.Fprintf(p.w, "   · %s\n", s) }
func (p *printer) bullet(s string) {
	fmt.Fprintf(p.w, "   • %s\n", s)
}

func (p *printer) step(s string) {
	p.n++
	fmt.Fprintf(p.w, "\n%d. %s\n", p.n, s)
}

// changes prints a pass's lines as kmswatch's text output does; onlyChanged leaves out the
// unchanged ones (a repair is one line among many unchanged).
func (p *printer) changes(res *reconcile.Result, dryRun, onlyChanged bool) {
	prefix := "   "
	if onlyChanged {
		prefix = "     → "
	}
	for _, c := range res.Changes {
		if onlyChanged && c.Action == reconcile.ActionNoop && len(c.Changes) == 0 && c.Message == "" && c.Err == nil {
			continue
		}
		fmt.Fprintf(p.w, "%s%s\n", prefix, c.Line(dryRun))
	}
}

func (p *printer) warnings(res *reconcile.Result) {
	for _, w := range res.Warnings {
		p.note("warning: " + w.String())
	}
}

// mail prints a notification as the email would read.
func (p *printer) mail(d awsemu.Delivery) {
	fmt.Fprintf(p.w, "   ┌──────────────────────────────────────────────────────────────────────\n")
	fmt.Fprintf(p.w, "   │ From: AWS Notifications <no-reply@sns.amazonaws.com>\n")
	fmt.Fprintf(p.w, "   │ To: %s\n", d.Endpoint)
	fmt.Fprintf(p.w, "   │ Subject: %s\n", d.Subject)
	fmt.Fprintf(p.w, "   │\n")
	for _, line := range strings.Split(strings.TrimRight(readableBody(d.Body), "\n"), "\n") {
		fmt.Fprintf(p.w, "   │ %s\n", line)
	}
	fmt.Fprintf(p.w, "   └──────────────────────────────────────────────────────────────────────\n")
}

// readableBody indents the JSON alarm message at the top of an email body (CloudWatch sends the
// alarm as JSON; a mail client shows it as one long line), keeping the rest as it is.
func readableBody(body string) string {
	msg, rest, _ := strings.Cut(body, "\n")
	var b bytes.Buffer
	if json.Indent(&b, []byte(msg), "", "  ") != nil {
		return body
	}
	return b.String() + "\n" + rest
}

func countAction(res *reconcile.Result, a reconcile.Action) int {
	n := 0
	for _, c := range res.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}
