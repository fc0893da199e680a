package logs

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// PutLogEvents limits (its documentation).
const (
	MaxBatchEvents   = 10000 // exported for tests that probe the limit
	maxBatchBytes    = 1048576
	eventOverhead    = 26
	maxEventAge      = 14 * 24 * time.Hour
	maxEventFuture   = 2 * time.Hour
	maxBatchSpan     = 24 * time.Hour
	defaultReadLimit = 10000
)

var streamNameRE = regexp.MustCompile(`^[^:*]*$`)

type logStream struct {
	name    string
	created time.Time
	// events are kept in (timestamp, seq) order; seq breaks ties in ingestion order.
	events     []storedEvent
	bytes      int64
	lastIngest time.Time
}

type storedEvent struct {
	ts     int64 // ms
	seq    uint64
	ingest int64 // ms
	msg    string
}

// before orders events by timestamp, then ingestion.
func (a storedEvent) before(b storedEvent) bool {
	return a.ts < b.ts || (a.ts == b.ts && a.seq < b.seq)
}

func (a storedEvent) id() string { return fmt.Sprintf("%d%020d", a.ts, a.seq) }

func (s *logsService) createLogStream(c *core.Call) (any, error) {
	var in struct {
		Group  string `json:"logGroupName"`
		Stream string `json:"logStreamName"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Group, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validStreamName(in.Stream); err != nil {
		return nil, err
	}
	g, err := s.group(c, in.Group)
	if err != nil {
		return nil, err
	}
	if g.streams[in.Stream] != nil {
		return nil, wire.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	g.streams[in.Stream] = &logStream{name: in.Stream, created: c.Now}
	return struct{}{}, nil
}

func validStreamName(name string) error {
	if err := checkLength(name, "logStreamName", 1, 512); err != nil {
		return err
	}
	if !streamNameRE.MatchString(name) {
		return core.Constraint(name, "logStreamName", "satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

type logStreamOut struct {
	Name          string `json:"logStreamName"`
	CreationTime  int64  `json:"creationTime"`
	FirstEvent    *int64 `json:"firstEventTimestamp,omitempty"`
	LastEvent     *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestion *int64 `json:"lastIngestionTime,omitempty"`
	Arn           string `json:"arn"`
	StoredBytes   int64  `json:"storedBytes"`
}

func (s *logsService) describeLogStreams(c *core.Call) (any, error) {
	var in struct {
		Group      string  `json:"logGroupName"`
		Ident      string  `json:"logGroupIdentifier"`
		Prefix     *string `json:"logStreamNamePrefix"`
		OrderBy    string  `json:"orderBy"`
		Descending bool    `json:"descending"`
		NextToken  *string `json:"nextToken"`
		Limit      *int32  `json:"limit"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, "limit", 50, 50)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.Prefix != nil {
			return nil, wire.Errorf("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, core.Constraint(in.OrderBy, "orderBy", "satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	g, err := s.groupByIdentifier(c, in.Group, in.Ident)
	if err != nil {
		return nil, err
	}
	// The page key sorts as the listing does: the name, or the last event time then the name.
	key := func(st *logStream) string {
		if in.OrderBy == "LastEventTime" {
			var last int64
			if n := len(st.events); n > 0 {
				last = st.events[n-1].ts
			}
			return fmt.Sprintf("%020d\x00%s", last, st.name)
		}
		return st.name
	}
	var streams []*logStream
	for _, st := range g.streams {
		if in.Prefix == nil || strings.HasPrefix(st.name, *in.Prefix) {
			streams = append(streams, st)
		}
	}
	after := func(a, b string) bool { return a > b }
	if in.Descending {
		after = func(a, b string) bool { return a < b }
	}
	sort.Slice(streams, func(i, j int) bool { return after(key(streams[j]), key(streams[i])) })
	start := 0
	if in.NextToken != nil {
		last, ok := core.ReadPageToken("logs:DescribeLogStreams:"+g.name, *in.NextToken)
		if !ok {
			return nil, invalidLogsToken()
		}
		start = sort.Search(len(streams), func(i int) bool { return after(key(streams[i]), last) })
	}
	var out struct {
		Streams   []logStreamOut `json:"logStreams"`
		NextToken string         `json:"nextToken,omitempty"`
	}
	out.Streams = []logStreamOut{}
	for i := start; i < len(streams); i++ {
		if len(out.Streams) == limit {
			out.NextToken = core.PageToken("logs:DescribeLogStreams:"+g.name, key(streams[i-1]))
			break
		}
		out.Streams = append(out.Streams, s.streamOut(g, streams[i]))
	}
	return out, nil
}

func (s *logsService) streamOut(g *logGroup, st *logStream) logStreamOut {
	// A stream's storedBytes has been reported as zero since June 2019 (the SDK's deprecation
	// note); the group's storedBytes still counts.
	o := logStreamOut{Name: st.name, CreationTime: st.created.UnixMilli(), Arn: g.arn(s.w.Account) + ":log-stream:" + st.name}
	if n := len(st.events); n > 0 {
		first, last, ing := st.events[0].ts, st.events[n-1].ts, st.lastIngest.UnixMilli()
		o.FirstEvent, o.LastEvent, o.LastIngestion = &first, &last, &ing
	}
	return o
}

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type rejectedInfo struct {
	TooNewStart *int32 `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldEnd   *int32 `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredEnd  *int32 `json:"expiredLogEventEndIndex,omitempty"`
}

func (s *logsService) putLogEvents(c *core.Call) (any, error) {
	var in struct {
		Group  string          `json:"logGroupName"`
		Stream string          `json:"logStreamName"`
		Events []inputLogEvent `json:"logEvents"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Group, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validStreamName(in.Stream); err != nil {
		return nil, err
	}
	if err := validBatch(in.Events); err != nil {
		return nil, err
	}
	g, err := s.group(c, in.Group)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.Stream]
	if st == nil {
		return nil, wire.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	lo, hi, rej := acceptedRange(in.Events, c.Now, g.retained)
	// The 24-hour span applies to the valid events only.
	if hi > lo && *in.Events[hi-1].Timestamp-*in.Events[lo].Timestamp > maxBatchSpan.Milliseconds() {
		return nil, wire.Errorf("InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	batch := make([]storedEvent, 0, hi-lo)
	for _, ev := range in.Events[lo:hi] {
		batch = append(batch, storedEvent{ts: *ev.Timestamp, msg: *ev.Message})
	}
	s.ingest(g, st, batch, c.Now)
	var out struct {
		NextSequenceToken string        `json:"nextSequenceToken"`
		Rejected          *rejectedInfo `json:"rejectedLogEventsInfo,omitempty"`
	}
	// The sequence token is ignored by AWS now; it is still returned.
	out.NextSequenceToken = fmt.Sprintf("%056d", s.seq)
	if rej.TooNewStart != nil || rej.TooOldEnd != nil || rej.ExpiredEnd != nil {
		out.Rejected = &rej
	}
	return out, nil
}

// validBatch applies PutLogEvents' limits to the batch as a whole: count, non-null UTF-8
// messages, chronological order, total size.
func validBatch(events []inputLogEvent) error {
	if len(events) < 1 || len(events) > MaxBatchEvents {
		return core.Constraint(len(events), "logEvents", "have length between 1 and 10000")
	}
	size := 0
	for i, ev := range events {
		member := fmt.Sprintf("logEvents.%d.member", i+1)
		if ev.Timestamp == nil {
			return wire.Errorf("InvalidParameterException", "1 validation error detected: Value null at '"+member+".timestamp' failed to satisfy constraint: Member must not be null")
		}
		if ev.Message == nil || *ev.Message == "" {
			return core.Constraint("", member+".message", "have length greater than or equal to 1")
		}
		if !utf8.ValidString(*ev.Message) {
			return wire.Errorf("InvalidParameterException", "Log event message at index "+fmt.Sprint(i)+" is not valid UTF-8.")
		}
		if i > 0 && *ev.Timestamp < *events[i-1].Timestamp {
			return wire.Errorf("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(*ev.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return wire.Errorf("InvalidParameterException", fmt.Sprintf("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes))
	}
	return nil
}

// acceptedRange returns the events [lo, hi) of a sorted batch that are accepted at now, and
// what was rejected: too old (over 14 days, or before the group's retention of retainedDays)
// is a prefix of the batch and too new (over 2 hours ahead) a suffix.
func acceptedRange(events []inputLogEvent, now time.Time, retainedDays int32) (lo, hi int, rej rejectedInfo) {
	nowMs := now.UnixMilli()
	oldest := nowMs - maxEventAge.Milliseconds()
	expiredBefore := int64(-1 << 62)
	if retainedDays > 0 {
		expiredBefore = nowMs - int64(retainedDays)*24*time.Hour.Milliseconds()
	}
	newest := nowMs + maxEventFuture.Milliseconds()
	tooOld, expired := 0, 0
	hi = len(events)
	for tooOld < hi && *events[tooOld].Timestamp < oldest {
		tooOld++
	}
	for expired < hi && *events[expired].Timestamp < expiredBefore {
		expired++
	}
	lo = max(tooOld, expired)
	for hi > lo && *events[hi-1].Timestamp > newest {
		hi--
	}
	if tooOld > 0 {
		v := int32(tooOld)
		rej.TooOldEnd = &v
	}
	if expired > 0 {
		v := int32(expired)
		rej.ExpiredEnd = &v
	}
	if hi < len(events) {
		v := int32(hi)
		rej.TooNewStart = &v
	}
	return lo, hi, rej
}

// ingest stores a chronological batch in a stream and runs the group's metric filters over it.
func (s *logsService) ingest(g *logGroup, st *logStream, batch []storedEvent, now time.Time) {
	if len(batch) == 0 {
		return
	}
	for i := range batch {
		s.seq++
		batch[i].seq, batch[i].ingest = s.seq, now.UnixMilli()
		st.bytes += int64(len(batch[i].msg))
	}
	// The common case appends; an older batch is merged into place.
	if n := len(st.events); n == 0 || !batch[0].before(st.events[n-1]) {
		st.events = append(st.events, batch...)
	} else {
		st.events = append(st.events, batch...)
		sort.SliceStable(st.events, func(i, j int) bool { return st.events[i].before(st.events[j]) })
	}
	st.lastIngest = now
	s.publishIncoming(g, batch, now)
	s.runFilters(g, batch)
}

// publishIncoming records what CloudWatch Logs publishes about every ingestion, per log group, in
// the AWS/Logs namespace: IncomingLogEvents (unit None) and IncomingBytes (uncompressed, unit
// Bytes), dimension LogGroupName, at the time of ingestion
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html).
func (s *logsService) publishIncoming(g *logGroup, batch []storedEvent, now time.Time) {
	if s.w.Bus.PutDatum == nil {
		return
	}
	var bytes int
	for _, ev := range batch {
		bytes += len(ev.msg)
	}
	dims := map[string]string{"LogGroupName": g.name}
	s.w.Bus.PutDatum(core.Datum{Region: g.region, Namespace: "AWS/Logs", MetricName: "IncomingLogEvents",
		Dimensions: dims, Time: now, Value: float64(len(batch)), Unit: "None"})
	s.w.Bus.PutDatum(core.Datum{Region: g.region, Namespace: "AWS/Logs", MetricName: "IncomingBytes",
		Dimensions: dims, Time: now, Value: float64(bytes), Unit: "Bytes"})
}

// deliver is the bus end of w.Bus.PutLogEvents: CloudTrail delivering records to a trail's log
// group. group is a log group ARN (with or without ":*"), or a name in the emulator's default
// region. The stream is created on first use, as CloudTrail's role does with CreateLogStream. A
// delivery of no events only checks that the group exists.
func (s *logsService) deliver(group, stream string, events []core.LogEvent) error {
	region, name := s.w.Region, group
	if r, n, ok := core.ParseLogGroupARN(group); ok {
		region, name = r, n
	}
	g := s.region(region).groups[name]
	if g == nil {
		return fmt.Errorf("deliver to log group %s: ResourceNotFoundException: The specified log group does not exist", group)
	}
	if len(events) == 0 {
		return nil
	}
	st := g.streams[stream]
	if st == nil {
		st = &logStream{name: stream, created: s.w.Now}
		g.streams[stream] = st
	}
	batch := make([]storedEvent, 0, len(events))
	for _, ev := range events {
		batch = append(batch, storedEvent{ts: ev.Time.UnixMilli(), msg: ev.Message})
	}
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].ts < batch[j].ts })
	s.ingest(g, st, batch, s.w.Now)
	return nil
}
