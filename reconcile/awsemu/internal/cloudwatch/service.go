package cloudwatch

import (
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// cwService is the CloudWatch service's state, per region.
type cwService struct {
	w       *core.World
	regions map[string]*cwRegion
}

// cwRegion is one region's alarms, metrics and alarm history.
type cwRegion struct {
	name   string
	alarms map[string]*cwAlarm
	// names is every alarm name, sorted as DescribeAlarms returns them (byte order), so that
	// prefix queries and pagination need no sort per call.
	names   []string
	metrics map[string]*cwSeries
	history []cwHistoryItem
}

// Register adds CloudWatch to w: its handlers, its metric store as the end of the bus's PutDatum, and its alarm evaluation tick.
func Register(w *core.World) {
	cw := &cwService{w: w, regions: map[string]*cwRegion{}}
	w.Register("cloudwatch", map[string]core.OpFunc{
		"PutMetricAlarm":       cw.putMetricAlarm,
		"DescribeAlarms":       cw.describeAlarms,
		"DeleteAlarms":         cw.deleteAlarms,
		"EnableAlarmActions":   cw.enableAlarmActions,
		"DisableAlarmActions":  cw.disableAlarmActions,
		"TagResource":          cw.tagResource,
		"UntagResource":        cw.untagResource,
		"ListTagsForResource":  cw.listTagsForResource,
		"SetAlarmState":        cw.setAlarmState,
		"DescribeAlarmHistory": cw.describeAlarmHistory,
		"PutMetricData":        cw.putMetricData,
		"GetMetricData":        cw.getMetricData,
		"GetMetricStatistics":  cw.getMetricStatistics,
		"ListMetrics":          cw.listMetrics,
	})
	// Metric filters (the Logs service) emit datapoints in their log group's region.
	w.Bus.PutDatum = func(d core.Datum) {
		region := d.Region
		if region == "" {
			region = w.Region
		}
		cw.region(region).record(d, false)
	}
	w.OnTick(cw.tick)
}

// region returns (creating) a region's state.
func (cw *cwService) region(name string) *cwRegion {
	r := cw.regions[name]
	if r == nil {
		r = &cwRegion{name: name, alarms: map[string]*cwAlarm{}, metrics: map[string]*cwSeries{}}
		cw.regions[name] = r
	}
	return r
}

// regionNames lists the regions with state, sorted, so ticks run in a fixed order.
func (cw *cwService) regionNames() []string {
	out := make([]string, 0, len(cw.regions))
	for n := range cw.regions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// addName inserts a new alarm name into the sorted index.
func (r *cwRegion) addName(name string) {
	i := sort.SearchStrings(r.names, name)
	r.names = append(r.names, "")
	copy(r.names[i+1:], r.names[i:])
	r.names[i] = name
}

// removeName drops an alarm name from the sorted index.
func (r *cwRegion) removeName(name string) {
	i := sort.SearchStrings(r.names, name)
	if i < len(r.names) && r.names[i] == name {
		r.names = append(r.names[:i], r.names[i+1:]...)
	}
}

// alarmARN is arn:aws:cloudwatch:<region>:<account>:alarm:<name>.
func (cw *cwService) alarmARN(region, name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + cw.w.Account + ":alarm:" + name
}

// parseAlarmARN splits an alarm ARN into region and name; ok is false for any other ARN.
func (cw *cwService) parseAlarmARN(arn string) (region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "cloudwatch" || parts[5] != "alarm" || parts[6] == "" {
		return "", "", false
	}
	if parts[4] != cw.w.Account {
		return "", "", false
	}
	return parts[3], parts[6], true
}

// awsTime formats a timestamp as CloudWatch's JSON documents do (history data, notifications):
// 2024-03-05T20:31:04.488+0000.
func awsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// regionLongNames are the display names CloudWatch puts in alarm notifications (Subject and
// Region), in the older "EU (Ireland)" style that alarm e-mails still use.
var regionLongNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
	"us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
	"ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)",
	"eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
	"eu-central-1": "EU (Frankfurt)", "eu-central-2": "EU (Zurich)", "eu-north-1": "EU (Stockholm)",
	"eu-south-1": "EU (Milan)", "ap-south-1": "Asia Pacific (Mumbai)",
	"ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
	"ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)", "ap-east-1": "Asia Pacific (Hong Kong)",
	"me-south-1": "Middle East (Bahrain)", "af-south-1": "Africa (Cape Town)",
}

func regionLongName(region string) string {
	if n, ok := regionLongNames[region]; ok {
		return n
	}
	return region
}

// Endpoint is how CloudWatch is addressed on the wire.
var Endpoint = wire.Endpoint{
	Service:         "cloudwatch",
	JSONTarget:      "GraniteServiceVersion20100801",
	CBORShape:       "GraniteServiceVersion20100801",
	QueryVersion:    "2010-08-01",
	QueryNamespace:  "http://monitoring.amazonaws.com/doc/2010-08-01/",
	QueryCompatible: true,
}
