package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// current returns the current version of key, nil when there is none or it is a delete marker.
func (b *bucket) current(key string) *version {
	vs := b.objects[key]
	if len(vs) == 0 || vs[len(vs)-1].deleteMarker {
		return nil
	}
	return vs[len(vs)-1]
}

// find returns the version of key with id, or nil.
func (b *bucket) find(key, id string) *version {
	for _, v := range b.objects[key] {
		if v.id == id {
			return v
		}
	}
	return nil
}

// add makes v the current version of key, under the bucket's versioning.
func (b *bucket) add(key string, v *version) {
	switch b.versioning {
	case "":
		b.objects[key] = []*version{v}
		return
	case "Enabled":
		v.id = newVersionID()
	default: // Suspended: the write is the "null" version, replacing any earlier one
		v.id = "null"
		b.remove(key, "null")
	}
	b.objects[key] = append(b.objects[key], v)
}

// remove deletes the version of key with id, and the key when no version is left.
func (b *bucket) remove(key, id string) {
	vs := b.objects[key]
	for i, v := range vs {
		if v.id == id {
			vs = append(vs[:i:i], vs[i+1:]...)
			break
		}
	}
	if len(vs) == 0 {
		delete(b.objects, key)
		return
	}
	b.objects[key] = vs
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches reports whether a conditional header's value (a list of ETags, or "*") names etag.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// putObject stores the payload. Its conditions are decided with the write, under the lock.
func (s *Service) putObject(c *core.Call) (any, error) {
	b, key, err := s.target(c)
	if err != nil {
		return nil, err
	}
	h := c.Wire.HTTP.Header
	if m := h.Get("Content-MD5"); m != "" {
		sum := md5.Sum(c.Wire.Body)
		if m != base64.StdEncoding.EncodeToString(sum[:]) {
			return nil, wire.Errorf("BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	cur := b.current(key)
	if inm := h.Get("If-None-Match"); inm != "" {
		if inm != "*" {
			return nil, errNotImplemented("A header you provided implies functionality that is not implemented: If-None-Match takes only *")
		}
		if cur != nil {
			return nil, errPrecondition()
		}
	}
	if im := h.Get("If-Match"); im != "" {
		if cur == nil {
			return nil, errNoSuchKey()
		}
		if !etagMatches(im, cur.etag) {
			return nil, errPrecondition()
		}
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "binary/octet-stream"
	}
	v := &version{data: append([]byte(nil), c.Wire.Body...), etag: etagOf(c.Wire.Body), contentType: ct, modified: c.Now}
	b.add(key, v)
	out := &response{status: http.StatusOK, header: http.Header{"Etag": {v.etag}}}
	out.setVersion(v.id)
	return out, nil
}

// getObject answers the object's content, or a 304 / 412 when a condition says so.
func (s *Service) getObject(c *core.Call) (any, error) { return s.read(c, true) }

// headObject is getObject without the body.
func (s *Service) headObject(c *core.Call) (any, error) { return s.read(c, false) }

func (s *Service) read(c *core.Call, withBody bool) (any, error) {
	b, key, err := s.target(c)
	if err != nil {
		return nil, err
	}
	v := b.current(key)
	if id := c.Wire.HTTP.URL.Query().Get("versionId"); id != "" {
		if v = b.find(key, id); v == nil {
			return nil, errNoSuchVersion()
		}
		if v.deleteMarker {
			return nil, &wire.APIError{Type: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.", Status: http.StatusMethodNotAllowed}
		}
	}
	if v == nil {
		return nil, errNoSuchKey()
	}
	h := c.Wire.HTTP.Header
	if im := h.Get("If-Match"); im != "" && !etagMatches(im, v.etag) {
		return nil, errPrecondition()
	}
	if inm := h.Get("If-None-Match"); inm != "" && etagMatches(inm, v.etag) {
		return nil, errNotModified()
	}
	out := &response{status: http.StatusOK, header: http.Header{
		"Etag":           {v.etag},
		"Content-Type":   {v.contentType},
		"Content-Length": {strconv.Itoa(len(v.data))},
		"Last-Modified":  {v.modified.UTC().Format(http.TimeFormat)},
		"Accept-Ranges":  {"bytes"},
	}}
	out.setVersion(v.id)
	if withBody {
		out.body = v.data
	}
	return out, nil
}

// deleteObject removes the object (unversioned), adds a delete marker (versioned), or removes
// one version (versionId). Deleting what does not exist succeeds, as on S3.
func (s *Service) deleteObject(c *core.Call) (any, error) {
	b, key, err := s.target(c)
	if err != nil {
		return nil, err
	}
	out := &response{status: http.StatusNoContent, header: http.Header{}}
	if id := c.Wire.HTTP.URL.Query().Get("versionId"); id != "" {
		v := b.find(key, id)
		if v == nil {
			if b.versioning == "" && id != "null" {
				return nil, wire.Errorf("InvalidArgument", "Invalid version id specified")
			}
			return out, nil
		}
		b.remove(key, id)
		out.setVersion(id)
		if v.deleteMarker {
			out.header.Set("X-Amz-Delete-Marker", "true")
		}
		return out, nil
	}
	if b.versioning == "" {
		b.remove(key, "")
		return out, nil
	}
	marker := &version{deleteMarker: true, modified: c.Now}
	b.add(key, marker)
	out.setVersion(marker.id)
	out.header.Set("X-Amz-Delete-Marker", "true")
	return out, nil
}
