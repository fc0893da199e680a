package s3

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// createBucket makes a bucket in this account.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
func (s *Service) createBucket(c *core.Call) (any, error) {
	name, _, err := splitPath(c.Wire.HTTP.URL)
	if err != nil || checkBucketName(name) != "" {
		return nil, wire.Errorf("InvalidBucketName", "The specified bucket is not valid.")
	}
	var conf struct {
		LocationConstraint string `xml:"LocationConstraint"`
	}
	if len(c.Wire.Body) > 0 {
		if err := xml.Unmarshal(c.Wire.Body, &conf); err != nil {
			return nil, wire.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
		}
	}
	// Outside us-east-1 the request must name the region it is sent to, and only that one.
	if want := c.Region; want != "us-east-1" && conf.LocationConstraint != want || want == "us-east-1" && conf.LocationConstraint != "" && conf.LocationConstraint != "us-east-1" {
		lc := conf.LocationConstraint
		if lc == "" {
			lc = "unspecified"
		}
		return nil, wire.Errorf("IllegalLocationConstraintException",
			"The "+lc+" location constraint is incompatible for the region specific endpoint this request was sent to.")
	}
	if s.bucketState(name, false) != nil && c.Region != "us-east-1" {
		// us-east-1 answers 200 to its owner for compatibility; every other region 409.
		return nil, &wire.APIError{Type: "BucketAlreadyOwnedByYou", Status: http.StatusConflict,
			Message: "Your previous request to create the named bucket succeeded and you already own it."}
	}
	s.bucketState(name, true)
	return &response{status: http.StatusOK, header: http.Header{"Location": {"/" + name}}}, nil
}

// checkBucketName applies the naming rules of general purpose buckets, and says what is wrong:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
func checkBucketName(b string) string {
	if len(b) < 3 || len(b) > 63 {
		return "must be 3 to 63 characters long"
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "may hold only lower-case letters, digits, '.' and '-'"
		}
	}
	if strings.Trim(b[:1]+b[len(b)-1:], "abcdefghijklmnopqrstuvwxyz0123456789") != "" || strings.Contains(b, "..") {
		return "must begin and end with a letter or digit, without adjacent periods"
	}
	return ""
}

// headBucket answers 200 for a bucket that exists, 404 (no body) otherwise.
func (s *Service) headBucket(c *core.Call) (any, error) {
	if _, _, err := s.target(c); err != nil {
		return nil, wire.NotFound("NotFound", "Not Found")
	}
	return &response{status: http.StatusOK, header: http.Header{"X-Amz-Bucket-Region": {c.Region}}}, nil
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	XMLNS   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status,omitempty"`
}

// putBucketVersioning turns versioning on or suspends it; a bucket once versioned never
// returns to unversioned.
func (s *Service) putBucketVersioning(c *core.Call) (any, error) {
	b, _, err := s.target(c)
	if err != nil {
		return nil, err
	}
	var conf versioningConfiguration
	if err := xml.Unmarshal(c.Wire.Body, &conf); err != nil || (conf.Status != "Enabled" && conf.Status != "Suspended") {
		return nil, wire.Errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
	}
	if b.versioning == "" {
		// Objects written before versioning become the "null" version.
		for _, vs := range b.objects {
			for _, v := range vs {
				v.id = "null"
			}
		}
	}
	b.versioning = conf.Status
	return &response{status: http.StatusOK, header: http.Header{}}, nil
}

func (s *Service) getBucketVersioning(c *core.Call) (any, error) {
	b, _, err := s.target(c)
	if err != nil {
		return nil, err
	}
	return xmlResponse(versioningConfiguration{XMLNS: xmlNS, Status: b.versioning})
}

type listVersionsResult struct {
	XMLName             xml.Name        `xml:"ListVersionsResult"`
	XMLNS               string          `xml:"xmlns,attr"`
	Name                string          `xml:"Name"`
	Prefix              string          `xml:"Prefix"`
	KeyMarker           string          `xml:"KeyMarker"`
	VersionIDMarker     string          `xml:"VersionIdMarker"`
	NextKeyMarker       string          `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string          `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int             `xml:"MaxKeys"`
	IsTruncated         bool            `xml:"IsTruncated"`
	Entries             []versionXMLish `xml:",any"`
}

// versionXMLish is a <Version> or a <DeleteMarker>, in the order S3 lists them.
type versionXMLish struct {
	XMLName      xml.Name
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag,omitempty"`
	Size         *int   `xml:"Size,omitempty"`
	StorageClass string `xml:"StorageClass,omitempty"`
}

// listObjectVersions lists versions and delete markers by key, newest first within a key, from
// after (key-marker, version-id-marker), max-keys (default and cap 1000) a page.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
func (s *Service) listObjectVersions(c *core.Call) (any, error) {
	b, _, err := s.target(c)
	if err != nil {
		return nil, err
	}
	q := c.Wire.HTTP.URL.Query()
	res := listVersionsResult{XMLNS: xmlNS, Name: b.name, Prefix: q.Get("prefix"), KeyMarker: q.Get("key-marker"),
		VersionIDMarker: q.Get("version-id-marker"), MaxKeys: 1000}
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, wire.Errorf("InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		res.MaxKeys = min(n, 1000)
	}
	all := b.listing(res.Prefix)
	start := 0
	if res.KeyMarker != "" {
		start = len(all)
		for i, e := range all {
			if res.VersionIDMarker != "" && e.Key == res.KeyMarker && e.VersionID == res.VersionIDMarker {
				start = i + 1
				break
			}
			if e.Key > res.KeyMarker {
				start = i
				break
			}
		}
	}
	end := min(start+res.MaxKeys, len(all))
	res.Entries = all[start:end]
	if end < len(all) && end > start {
		res.IsTruncated = true
		res.NextKeyMarker, res.NextVersionIDMarker = all[end-1].Key, all[end-1].VersionID
	}
	return xmlResponse(res)
}

// listing is every version and delete marker under prefix, keys in order, newest first.
func (b *bucket) listing(prefix string) []versionXMLish {
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []versionXMLish
	for _, k := range keys {
		vs := b.objects[k]
		for i := len(vs) - 1; i >= 0; i-- {
			v := vs[i]
			e := versionXMLish{XMLName: xml.Name{Local: "Version"}, Key: k, VersionID: v.id, IsLatest: i == len(vs)-1,
				LastModified: v.modified.UTC().Format("2006-01-02T15:04:05.000Z")}
			if e.VersionID == "" {
				e.VersionID = "null"
			}
			if v.deleteMarker {
				e.XMLName.Local = "DeleteMarker"
			} else {
				size := len(v.data)
				e.ETag, e.Size, e.StorageClass = v.etag, &size, "STANDARD"
			}
			out = append(out, e)
		}
	}
	return out
}
