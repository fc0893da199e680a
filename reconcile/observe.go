package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// names lists what a Monitor's observe reads of a kind: the desired names and the owned ones.
func (c *regionController) names(want State, kind string) map[string]bool {
	out := keySet(c.owners.owned(want.Monitor, kind))
	switch kind {
	case KindLogGroup:
		if want.LogGroup != nil {
			out[want.LogGroup.Name] = true
		}
	case KindTrail:
		if want.Trail != nil {
			out[want.Trail.Name] = true
		}
	case KindTopic:
		for _, t := range want.Topics {
			out[t.Name] = true
		}
	case KindAlarm:
		for _, a := range want.Alarms {
			out[a.Name] = true
		}
	}
	return out
}

// prefetch reads, for every Monitor of the pass at once, the kinds that AWS lets one call read
// many of: alarms, 100 names a DescribeAlarms call, and log groups, 50 names a DescribeLogGroups
// call. Ten monitors of 100 alarms cost what one monitor of 1,000 does.
func (c *regionController) prefetch(ctx context.Context, wants []State, p *pass) error {
	alarmNames, lgNames := map[string]bool{}, map[string]bool{}
	for _, w := range wants {
		for n := range c.names(w, KindAlarm) {
			alarmNames[n] = true
		}
		for n := range c.names(w, KindLogGroup) {
			lgNames[n] = true
		}
	}
	alarms, err := c.describeAlarms(ctx, sortedKeys(alarmNames))
	if err != nil {
		return err
	}
	p.alarms = map[string]Alarm{}
	for _, a := range alarms {
		p.alarms[a.Name] = a
	}
	groups, err := c.describeLogGroups(ctx, sortedKeys(lgNames))
	if err != nil {
		return err
	}
	p.logGroups = map[string]LogGroup{}
	for _, g := range groups {
		p.logGroups[g.Name] = g
	}
	// Forget owned resources that are gone.
	for n := range alarmNames {
		if _, ok := p.alarms[n]; !ok {
			c.owners.drop(KindAlarm, n)
		}
	}
	for n := range lgNames {
		if _, ok := p.logGroups[n]; !ok {
			c.owners.drop(KindLogGroup, n)
		}
	}
	return nil
}

// observe reads, and only reads, what exists of one Monitor's chain: every resource of a desired
// name and every resource the ownership cache says the Monitor owns. Alarms and log groups come
// from the pass's prefetch, the region's trails from its one DescribeTrails call; then per trail
// its status and selectors, per topic its attributes and subscriptions, per log group its metric
// filters, 50 a page. Ownership tags come from the cache, or one direct read for a resource seen
// for the first time. Errors of independent reads are joined; what was read is still returned.
func (c *regionController) observe(ctx context.Context, want State, p *pass) (Actual, error) {
	var got Actual
	var errs []error
	m := want.Monitor

	for _, name := range sortedKeys(c.names(want, KindLogGroup)) {
		lg, ok := p.logGroups[name]
		if !ok {
			continue
		}
		tags, err := c.tagsOf(ctx, KindLogGroup, name, lg.ARN)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lg.Tags = tags
		got.LogGroups = append(got.LogGroups, lg)
	}

	for _, name := range sortedKeys(c.names(want, KindTrail)) {
		t, err := c.observeTrail(ctx, name, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t != nil {
			got.Trails = append(got.Trails, *t)
		}
	}

	// Topics, and the subscriptions of the desired ones (an unwanted topic is deleted whole).
	wantTopic := map[string]bool{}
	for _, t := range want.Topics {
		wantTopic[t.Name] = true
	}
	for _, name := range sortedKeys(c.names(want, KindTopic)) {
		t, subs, err := c.observeTopic(ctx, name, wantTopic[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t != nil {
			got.Topics = append(got.Topics, *t)
			got.Subscriptions = append(got.Subscriptions, subs...)
		}
	}

	for _, name := range sortedKeys(c.names(want, KindAlarm)) {
		a, ok := p.alarms[name]
		if !ok {
			continue
		}
		tags, err := c.tagsOf(ctx, KindAlarm, name, a.ARN)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.Tags = tags
		got.Alarms = append(got.Alarms, a)
	}

	// Metric filters, per log group that can hold one of ours.
	filterGroups := map[string]bool{}
	for _, f := range want.Filters {
		filterGroups[f.LogGroup] = true
	}
	for _, a := range got.Alarms {
		if owner(a.Tags) == m {
			if lg, _, ok := recordedFilter(a.Tags); ok {
				filterGroups[lg] = true
			}
		}
	}
	for _, lg := range sortedKeys(filterGroups) {
		fs, err := p.filters(ctx, c, lg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got.Filters = append(got.Filters, fs...)
	}
	return got, errors.Join(errs...)
}

// describeAlarms reads alarms by name, 100 names a call (DescribeAlarms' limit).
func (c *regionController) describeAlarms(ctx context.Context, names []string) ([]Alarm, error) {
	var out []Alarm
	for i := 0; i < len(names); i += 100 {
		batch := names[i:min(i+100, len(names))]
		in := &cloudwatch.DescribeAlarmsInput{AlarmNames: batch, MaxRecords: aws.Int32(100)}
		for {
			res, err := c.clients.CloudWatch.DescribeAlarms(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("describe alarms: %w", err)
			}
			for _, ma := range res.MetricAlarms {
				a := alarmFromAWS(ma)
				if a.ARN == "" {
					a.ARN = c.env.alarmARN(a.Name)
				}
				out = append(out, a)
			}
			next := aws.ToString(res.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = res.NextToken
		}
	}
	return out, nil
}

// alarmFromAWS normalises an alarm as DescribeAlarms returns it: unset optional fields take AWS's
// defaults (DatapointsToAlarm = EvaluationPeriods, TreatMissingData = missing, actions enabled) and
// lists are sorted, so that a converged alarm diffs as unchanged.
func alarmFromAWS(ma cwtypes.MetricAlarm) Alarm {
	a := Alarm{
		Name:                    aws.ToString(ma.AlarmName),
		ARN:                     aws.ToString(ma.AlarmArn),
		Description:             aws.ToString(ma.AlarmDescription),
		Namespace:               aws.ToString(ma.Namespace),
		MetricName:              aws.ToString(ma.MetricName),
		Statistic:               string(ma.Statistic),
		Unit:                    string(ma.Unit),
		Period:                  aws.ToInt32(ma.Period),
		EvaluationPeriods:       aws.ToInt32(ma.EvaluationPeriods),
		DatapointsToAlarm:       aws.ToInt32(ma.DatapointsToAlarm),
		Threshold:               aws.ToFloat64(ma.Threshold),
		Comparison:              string(ma.ComparisonOperator),
		TreatMissingData:        aws.ToString(ma.TreatMissingData),
		AlarmActions:            sortedCopy(ma.AlarmActions),
		OKActions:               sortedCopy(ma.OKActions),
		InsufficientDataActions: sortedCopy(ma.InsufficientDataActions),
		ActionsEnabled:          ma.ActionsEnabled == nil || *ma.ActionsEnabled,
	}
	if a.Statistic == "" && ma.ExtendedStatistic != nil {
		a.Statistic = *ma.ExtendedStatistic
	}
	if a.Unit == "None" {
		a.Unit = ""
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = "missing"
	}
	var dims []string
	for _, d := range ma.Dimensions {
		dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	sort.Strings(dims)
	a.Dimensions = strings.Join(dims, ",")
	return a
}

// describeLogGroups finds log groups by exact name, 50 names a call (logGroupIdentifiers' limit).
// Names are compared exactly: moto ignores logGroupIdentifiers and answers every group, page by page.
func (c *regionController) describeLogGroups(ctx context.Context, names []string) ([]LogGroup, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []LogGroup
	for i := 0; i < len(names); i += 50 {
		batch := names[i:min(i+50, len(names))]
		in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: batch}
		for {
			res, err := c.clients.Logs.DescribeLogGroups(ctx, in)
			if err != nil {
				if isNotFound(err) {
					break
				}
				return nil, fmt.Errorf("describe log groups %v: %w", batch, err)
			}
			for _, g := range res.LogGroups {
				name := aws.ToString(g.LogGroupName)
				if !want[name] {
					continue
				}
				delete(want, name) // once, even if a page repeats it
				lg := LogGroup{Name: name, ARN: aws.ToString(g.LogGroupArn), RetentionInDays: aws.ToInt32(g.RetentionInDays)}
				if lg.ARN == "" {
					lg.ARN = trimStar(aws.ToString(g.Arn))
				}
				if lg.ARN == "" {
					lg.ARN = c.env.logGroupARN(name)
				}
				out = append(out, lg)
			}
			next := aws.ToString(res.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = res.NextToken
		}
	}
	return out, nil
}

// observeTopic reads a topic's attributes and, if wanted, its subscriptions; nil when it is gone.
func (c *regionController) observeTopic(ctx context.Context, name string, withSubs bool) (*Topic, []Subscription, error) {
	arn := c.env.topicARN(name)
	out, err := c.clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		if isNotFound(err) {
			c.owners.drop(KindTopic, name)
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("get attributes of topic %s: %w", name, err)
	}
	t := &Topic{Name: name, ARN: arn, DisplayName: out.Attributes["DisplayName"]}
	if t.Tags, err = c.tagsOf(ctx, KindTopic, name, arn); err != nil {
		return nil, nil, err
	}
	if !withSubs {
		return t, nil, nil
	}
	var subs []Subscription
	in := &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)}
	for {
		res, err := c.clients.SNS.ListSubscriptionsByTopic(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("list subscriptions of topic %s: %w", name, err)
		}
		for _, s := range res.Subscriptions {
			sarn := aws.ToString(s.SubscriptionArn)
			subs = append(subs, Subscription{
				Topic:    name,
				TopicARN: arn,
				Protocol: aws.ToString(s.Protocol),
				Endpoint: aws.ToString(s.Endpoint),
				ARN:      sarn,
				// ListSubscriptionsByTopic shows an unconfirmed subscription's ARN as the literal
				// "PendingConfirmation" (aws-api.md §0.9); Subscribe says "pending confirmation".
				Pending: !strings.HasPrefix(sarn, "arn:"),
			})
		}
		next := aws.ToString(res.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = res.NextToken
	}
	return t, subs, nil
}

func keySet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
