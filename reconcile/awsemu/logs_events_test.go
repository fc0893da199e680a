package awsemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	emulogs "github.com/kmswatch/kmswatch/reconcile/awsemu/internal/logs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func logsPutEvents(t *testing.T, logs *cloudwatchlogs.Client, group, stream string, at time.Time, msgs ...string) *cloudwatchlogs.PutLogEventsOutput {
	t.Helper()
	var evs []logstypes.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, logstypes.InputLogEvent{Timestamp: aws.Int64(at.Add(time.Duration(i) * time.Millisecond).UnixMilli()), Message: aws.String(m)})
	}
	out, err := logs.PutLogEvents(context.Background(), &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		t.Fatalf("put log events: %v", err)
	}
	return out
}

func logsCreateStream(t *testing.T, logs *cloudwatchlogs.Client, group, stream string) {
	t.Helper()
	if _, err := logs.CreateLogStream(context.Background(), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatalf("create log stream: %v", err)
	}
}

func TestLogsPutLogEventsLimits(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	logsCreateStream(t, logs, "g", "s")
	_, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	var exists *logstypes.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate stream: %v", err)
	}
	now := e.Now()
	ev := func(at time.Time, msg string) logstypes.InputLogEvent {
		return logstypes.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg)}
	}
	put := func(group, stream string, evs ...logstypes.InputLogEvent) (*cloudwatchlogs.PutLogEventsOutput, error) {
		return logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	}
	// Too old (over 14 days) and too new (over 2 hours ahead) are rejected; the rest are stored.
	out, err := put("g", "s", ev(now.Add(-15*24*time.Hour), "old"), ev(now.Add(-time.Minute), "ok1"), ev(now, "ok2"), ev(now.Add(3*time.Hour), "new"))
	if err != nil {
		t.Fatal(err)
	}
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 3 || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected info %+v", r)
	}
	got, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 2 || aws.ToString(got.Events[0].Message) != "ok1" || aws.ToInt64(got.Events[1].IngestionTime) != now.UnixMilli() {
		t.Fatalf("stored events %+v", got.Events)
	}
	// A group's retention also rejects events older than it, as expired.
	if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	out, err = put("g", "s", ev(now.Add(-48*time.Hour), "expired"), ev(now, "fine"))
	if err != nil || out.RejectedLogEventsInfo == nil || aws.ToInt32(out.RejectedLogEventsInfo.ExpiredLogEventEndIndex) != 1 {
		t.Fatalf("expired: %v %+v", err, out)
	}
	logsCreateGroup(t, logs, "h")
	logsCreateStream(t, logs, "h", "s")
	big := strings.Repeat("x", 600_000)
	for name, tc := range map[string]struct {
		group, stream string
		evs           []logstypes.InputLogEvent
		code          string
	}{
		"not chronological": {"g", "s", []logstypes.InputLogEvent{ev(now, "b"), ev(now.Add(-time.Second), "a")}, "InvalidParameterException"},
		"over 1 MiB":        {"g", "s", []logstypes.InputLogEvent{ev(now, big), ev(now, big)}, "InvalidParameterException"},
		"no events":         {"g", "s", []logstypes.InputLogEvent{}, "InvalidParameterException"},
		"empty message":     {"g", "s", []logstypes.InputLogEvent{ev(now, "")}, "InvalidParameterException"},
		"span over 24h":     {"h", "s", []logstypes.InputLogEvent{ev(now.Add(-25*time.Hour+time.Minute), "a"), ev(now.Add(time.Hour), "b")}, "InvalidParameterException"},
		"missing group":     {"nope", "s", []logstypes.InputLogEvent{ev(now, "a")}, "ResourceNotFoundException"},
		"missing stream":    {"g", "nope", []logstypes.InputLogEvent{ev(now, "a")}, "ResourceNotFoundException"},
	} {
		if _, err := put(tc.group, tc.stream, tc.evs...); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			logsWantCode(t, err, tc.code)
		}
	}
	many := make([]logstypes.InputLogEvent, emulogs.MaxBatchEvents+1)
	for i := range many {
		many[i] = ev(now, "m")
	}
	_, err = put("g", "s", many...)
	logsWantCode(t, err, "InvalidParameterException")
}

func TestLogsGetLogEventsPaging(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	logsCreateStream(t, logs, "g", "s")
	var msgs []string
	for i := 0; i < 7; i++ {
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	logsPutEvents(t, logs, "g", "s", e.Now(), msgs...)
	in := func(tok *string, head bool) *cloudwatchlogs.GetLogEventsInput {
		return &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(3), NextToken: tok, StartFromHead: aws.Bool(head)}
	}
	text := func(out *cloudwatchlogs.GetLogEventsOutput) string {
		var s []string
		for _, ev := range out.Events {
			s = append(s, aws.ToString(ev.Message))
		}
		return strings.Join(s, ",")
	}
	// Forward from the head until the token repeats.
	var pages []string
	var tok *string
	for i := 0; i < 10; i++ {
		out, err := logs.GetLogEvents(ctx, in(tok, true))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, text(out))
		if tok != nil && aws.ToString(out.NextForwardToken) == *tok {
			break
		}
		tok = out.NextForwardToken
	}
	if got := strings.Join(pages, "|"); got != "m0,m1,m2|m3,m4,m5|m6|" {
		t.Fatalf("forward pages %q", got)
	}
	// Without a token the default is the tail; backward tokens walk toward the head.
	out, err := logs.GetLogEvents(ctx, in(nil, false))
	if err != nil || text(out) != "m4,m5,m6" {
		t.Fatalf("tail %q %v", text(out), err)
	}
	out, err = logs.GetLogEvents(ctx, in(out.NextBackwardToken, false))
	if err != nil || text(out) != "m1,m2,m3" {
		t.Fatalf("backward %q %v", text(out), err)
	}
	// New events appear after the last forward token: tailing works.
	logsPutEvents(t, logs, "g", "s", e.Now().Add(time.Second), "m7")
	out, err = logs.GetLogEvents(ctx, in(tok, true))
	if err != nil || text(out) != "m7" {
		t.Fatalf("tail after new event %q %v", text(out), err)
	}
	// Time window: startTime inclusive, endTime exclusive.
	start := e.Now().Add(2 * time.Millisecond).UnixMilli()
	out, err = logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartTime: aws.Int64(start), EndTime: aws.Int64(start + 2), StartFromHead: aws.Bool(true)})
	if err != nil || text(out) != "m2,m3" {
		t.Fatalf("window %q %v", text(out), err)
	}
	_, err = logs.GetLogEvents(ctx, in(aws.String("f/garbage"), true))
	logsWantCode(t, err, "InvalidParameterException")
	_, err = logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("none")})
	logsWantCode(t, err, "ResourceNotFoundException")
	_, err = logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g"), LogStreamName: aws.String("s")})
	logsWantCode(t, err, "InvalidParameterException")
	out, err = logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
		LogStreamName: aws.String("s"), Limit: aws.Int32(1)})
	if err != nil || text(out) != "m7" {
		t.Fatalf("by identifier %q %v", text(out), err)
	}
}

func TestLogsFilterLogEventsAndStreams(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	logsCreateStream(t, logs, "g", "b-stream")
	logsCreateStream(t, logs, "g", "a-stream")
	t0 := e.Now()
	logsPutEvents(t, logs, "g", "b-stream", t0, `{"level":"ERROR","n":1}`, `{"level":"INFO","n":2}`, `{"level":"ERROR","n":3}`)
	logsPutEvents(t, logs, "g", "a-stream", t0.Add(time.Millisecond), `{"level":"ERROR","n":4}`)
	var got []string
	var tok *string
	for i := 0; i < 5; i++ {
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"),
			FilterPattern: aws.String(`{ $.level = "ERROR" }`), Limit: aws.Int32(2), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			got = append(got, aws.ToString(ev.LogStreamName)+":"+aws.ToString(ev.Message)[len(`{"level":"ERROR","n":`):len(aws.ToString(ev.Message))-1])
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	// Interleaved across streams in time order.
	if strings.Join(got, " ") != "b-stream:1 a-stream:4 b-stream:3" {
		t.Fatalf("filtered %q", got)
	}
	out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a-stream"}})
	if err != nil || len(out.Events) != 1 || out.Events[0].EventId == nil {
		t.Fatalf("by stream: %v %+v", err, out)
	}
	out, err = logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"),
		StartTime: aws.Int64(t0.Add(time.Millisecond).UnixMilli()), EndTime: aws.Int64(t0.Add(2 * time.Millisecond).UnixMilli())})
	if err != nil || len(out.Events) != 3 {
		t.Fatalf("window (both ends inclusive): %v %d events", err, len(out.Events))
	}
	for name, in := range map[string]*cloudwatchlogs.FilterLogEventsInput{
		"names and prefix": {LogGroupName: aws.String("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")},
		"bad pattern":      {LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.x = `)},
		"bad token":        {LogGroupName: aws.String("g"), NextToken: aws.String("zzz")},
		"limit 0":          {LogGroupName: aws.String("g"), Limit: aws.Int32(0)},
	} {
		_, err := logs.FilterLogEvents(ctx, in)
		logsWantCode(t, err, "InvalidParameterException")
		_ = name
	}
	_, err = logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	logsWantCode(t, err, "ResourceNotFoundException")

	ls, err := logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if err != nil || len(ls.LogStreams) != 2 || aws.ToString(ls.LogStreams[0].LogStreamName) != "a-stream" ||
		aws.ToInt64(ls.LogStreams[1].FirstEventTimestamp) != t0.UnixMilli() || aws.ToInt64(ls.LogStreams[1].LastEventTimestamp) != t0.Add(2*time.Millisecond).UnixMilli() ||
		aws.ToString(ls.LogStreams[0].Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:a-stream" {
		t.Fatalf("streams: %v %+v", err, ls)
	}
	ls, err = logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: logstypes.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)})
	if err != nil || aws.ToString(ls.LogStreams[0].LogStreamName) != "b-stream" || ls.NextToken == nil {
		t.Fatalf("by last event time: %v %+v", err, ls)
	}
	ls, err = logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: logstypes.OrderByLastEventTime,
		Descending: aws.Bool(true), Limit: aws.Int32(1), NextToken: ls.NextToken})
	if err != nil || aws.ToString(ls.LogStreams[0].LogStreamName) != "a-stream" || ls.NextToken != nil {
		t.Fatalf("second page: %v %+v", err, ls)
	}
	_, err = logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: logstypes.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	logsWantCode(t, err, "InvalidParameterException")
}

func TestLogsRetentionExpiresEvents(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	logsCreateStream(t, logs, "g", "s")
	logsPutEvents(t, logs, "g", "s", e.Now(), "first")
	e.Advance(12 * time.Hour)
	logsPutEvents(t, logs, "g", "s", e.Now(), "second")
	if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	e.Advance(13 * time.Hour) // "first" is now 25 hours old, "second" 13
	out, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "second" {
		t.Fatalf("after one day of retention: %+v", out.Events)
	}
	lg, _ := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if aws.ToInt64(lg.LogGroups[0].StoredBytes) != int64(len("second")) {
		t.Fatalf("storedBytes %d", aws.ToInt64(lg.LogGroups[0].StoredBytes))
	}
}
