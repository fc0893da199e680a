package cloudtrail

import (
	"net"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// cloudTrailService holds the trails of every region and the records waiting for delivery.
type cloudTrailService struct {
	w *core.World
	// trails by ARN (the ARN names the home region, so names may repeat across regions).
	trails map[string]*trail
	// pending holds captured records, in time order, until the tick delivers them.
	pending []capturedRecord
	// history keeps every management event per region for LookupEvents (90 days).
	history map[string][]core.AuditRecord
	// stopping is the ARN of the trail that StopLogging has just stopped: its own StopLogging
	// record is still captured, as CloudTrail logs the call that stops it.
	stopping string
}

type trail struct {
	name, region, arn string
	bucket, prefix    string
	snsTopic          string
	includeGlobal     bool
	multiRegion       bool
	validation        bool
	org               bool
	cwGroup, cwRole   string
	kmsKeyID          string

	logging             bool
	startTime, stopTime time.Time
	// Delivery to S3: the last attempt, the last success, and the error of the last failed
	// attempt (kept after a later success: the attempt times tell whether it is current).
	s3 deliveryStatus
	// Digest files (log file validation), hourly to the same bucket.
	digest deliveryStatus
	// Delivery to CloudWatch Logs: the last success and, while it fails, the error.
	latestCWL      time.Time
	latestCWLError string

	// selectors is nil until PutEventSelectors: the default selector applies then.
	selectors []eventSelector
	advanced  []advancedSelector
}

// Register adds CloudTrail to w: its handlers, the end of the bus's Audit, and its delivery tick.
func Register(w *core.World) {
	s := &cloudTrailService{w: w, trails: map[string]*trail{}, history: map[string][]core.AuditRecord{}}
	w.Register("cloudtrail", map[string]core.OpFunc{
		"CreateTrail":       s.createTrail,
		"UpdateTrail":       s.updateTrail,
		"GetTrail":          s.getTrail,
		"DescribeTrails":    s.describeTrails,
		"DeleteTrail":       s.deleteTrail,
		"GetTrailStatus":    s.getTrailStatus,
		"StartLogging":      s.startLogging,
		"StopLogging":       s.stopLogging,
		"PutEventSelectors": s.putEventSelectors,
		"GetEventSelectors": s.getEventSelectors,
		"AddTags":           s.addTags,
		"RemoveTags":        s.removeTags,
		"ListTags":          s.listTags,
		"LookupEvents":      s.lookupEvents,
	})
	w.Bus.Audit = s.capture
	w.OnTick(s.deliver)
}

func (s *cloudTrailService) trailARN(region, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + s.w.Account + ":trail/" + name
}

// visible lists the trails a region sees, sorted by name then ARN: its own and the shadows of
// multi-region trails homed elsewhere.
func (s *cloudTrailService) visible(region string) []*trail {
	var out []*trail
	for _, t := range s.trails {
		if t.region == region || t.multiRegion {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].arn < out[j].arn
	})
	return out
}

var trailARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)

// find resolves a trail given by name (in the request's region, shadows included) or by ARN.
func (s *cloudTrailService) find(c *core.Call, nameOrARN string) (*trail, error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		m := trailARNRE.FindStringSubmatch(nameOrARN)
		if m == nil {
			return nil, wire.Errorf("CloudTrailARNInvalidException",
				"Invalid trail ARN: "+nameOrARN+". The ARN must be in the format arn:aws:cloudtrail:<region>:<account>:trail/<name>.")
		}
		if t := s.trails[nameOrARN]; t != nil {
			return t, nil
		}
		return nil, s.notFound(nameOrARN)
	}
	if err := validTrailName(nameOrARN); err != nil {
		return nil, err
	}
	for _, t := range s.visible(c.Region) {
		if t.name == nameOrARN {
			return t, nil
		}
	}
	return nil, s.notFound(s.trailARN(c.Region, nameOrARN))
}

// findHome is find for operations that change a trail: only its home region may.
func (s *cloudTrailService) findHome(c *core.Call, nameOrARN string) (*trail, error) {
	t, err := s.find(c, nameOrARN)
	if err != nil {
		return nil, err
	}
	if t.region != c.Region {
		return nil, wire.Errorf("InvalidHomeRegionException",
			"This operation must be called from the trail's home region, "+t.region+". The trail "+t.arn+" is a shadow trail in "+c.Region+".")
	}
	return t, nil
}

func (s *cloudTrailService) notFound(arn string) *wire.APIError {
	return wire.Errorf("TrailNotFoundException", "Unknown trail: "+arn+" for the user: "+s.w.Account)
}

// validTrailName applies CreateTrail's naming rules: 3-128 ASCII letters, digits, '.', '_' and
// '-', starting and ending with a letter or digit, no two of '.', '_', '-' adjacent, and not an
// IP address.
func validTrailName(name string) error {
	bad := func(why string) error {
		return wire.Errorf("InvalidTrailNameException", "Trail name "+name+" is invalid: "+why)
	}
	if len(name) < 3 || len(name) > 128 {
		return bad("it must be between 3 and 128 characters long.")
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	punct := func(c byte) bool { return c == '.' || c == '_' || c == '-' }
	for i := 0; i < len(name); i++ {
		if !alnum(name[i]) && !punct(name[i]) {
			return bad("it may contain only ASCII letters, digits, periods, underscores and dashes.")
		}
		if i > 0 && punct(name[i]) && punct(name[i-1]) {
			return bad("it must not contain adjacent periods, underscores or dashes.")
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return bad("it must start and end with a letter or number.")
	}
	if net.ParseIP(name) != nil {
		return bad("it must not be in IP address format.")
	}
	return nil
}

// Endpoint is how CloudTrail is addressed on the wire.
var Endpoint = wire.Endpoint{Service: "cloudtrail", JSONTarget: "CloudTrail_20131101"}
