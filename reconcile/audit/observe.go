package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// maxPages bounds every paginated read: an endpoint that keeps returning a token (moto echoes
// the request's) must not loop forever.
const maxPages = 1000

// snapshot is what one region holds that the controls depend on, read once.
type snapshot struct {
	region string
	// trails are the trails homed in this region, where Security Hub evaluates them.
	trails []trailView
	// elsewhere names trails this region sees (multi-region or organization trails) that are
	// homed in another region or belong to another account.
	elsewhere []string
	// filters are the metric filters of each trail's log group, by log group name.
	filters map[string][]filterView
	alarms  []alarmView
	// topics are the subscriptions of each SNS topic an alarm notifies, by topic ARN.
	topics map[string]topicView
}

type trailView struct {
	name, arn   string
	multiRegion bool
	logGroup    string // "" when the trail delivers to no log group
	logging     bool
	// events is "" when the trail logs every management event, read and write, with no
	// event source excluded; otherwise what it leaves out.
	events string
}

type filterView struct {
	name, pattern     string
	namespace, metric string
}

type alarmView struct {
	name              string
	namespace, metric string
	actions           []string
}

type topicView struct {
	exists         bool
	confirmed      int
	pending        int
	firstConfirmed string
	listErr        error // a read error other than "no such topic"
}

// observe reads the region. A read that fails makes the whole region unreadable, except a
// topic's subscriptions: that failure only touches the controls whose alarm notifies the topic.
func observe(ctx context.Context, region string, c Clients) (*snapshot, error) {
	s := &snapshot{region: region, filters: map[string][]filterView{}, topics: map[string]topicView{}}
	if err := s.readTrails(ctx, c.CloudTrail); err != nil {
		return nil, err
	}
	for _, t := range s.trails {
		if t.logGroup == "" || s.filters[t.logGroup] != nil {
			continue
		}
		fs, err := readFilters(ctx, c.Logs, t.logGroup)
		if err != nil {
			return nil, err
		}
		s.filters[t.logGroup] = fs
	}
	alarms, err := readAlarms(ctx, c.CloudWatch)
	if err != nil {
		return nil, err
	}
	s.alarms = alarms
	for _, a := range alarms {
		for _, arn := range a.actions {
			if _, seen := s.topics[arn]; seen || !isTopicARN(arn) {
				continue
			}
			s.topics[arn] = readTopic(ctx, c.SNS, arn)
		}
	}
	return s, nil
}

func (s *snapshot) readTrails(ctx context.Context, api TrailsAPI) error {
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("describe trails: %w", err)
	}
	for _, t := range out.TrailList {
		name := aws.ToString(t.Name)
		if home := aws.ToString(t.HomeRegion); home != "" && home != s.region {
			s.elsewhere = append(s.elsewhere, fmt.Sprintf("%s (homed in %s)", name, home))
			continue
		}
		v := trailView{name: name, arn: aws.ToString(t.TrailARN), multiRegion: aws.ToBool(t.IsMultiRegionTrail),
			logGroup: logGroupName(aws.ToString(t.CloudWatchLogsLogGroupArn))}
		// By name: the trail is homed here. (moto 5.2.1 also fails Start/StopLogging by ARN.)
		st, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.Name})
		if err != nil {
			return fmt.Errorf("get status of trail %s: %w", name, err)
		}
		v.logging = aws.ToBool(st.IsLogging)
		sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: t.Name})
		if err != nil {
			return fmt.Errorf("get event selectors of trail %s: %w", name, err)
		}
		v.events = managementGap(sel)
		s.trails = append(s.trails, v)
	}
	return nil
}

// logGroupName takes the name out of a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*).
func logGroupName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[5] != "log-group" {
		return ""
	}
	return parts[6]
}

// managementGap says what management events a trail's selectors leave out; "" when none. CIS's
// audit step wants a selector with IncludeManagementEvents true and ReadWriteType All, and
// Security Hub's CloudWatch.7 also fails when ExcludeManagementEventSources holds
// kms.amazonaws.com; this audit asks the same of every control (nothing excluded). A trail with
// no selectors at all logs every management event (the GetEventSelectors reference).
func managementGap(out *cloudtrail.GetEventSelectorsOutput) string {
	if len(out.EventSelectors) == 0 && len(out.AdvancedEventSelectors) == 0 {
		return ""
	}
	gap := "no event selector includes management events"
	for _, es := range out.EventSelectors {
		switch {
		case !aws.ToBool(es.IncludeManagementEvents):
			continue
		case len(es.ExcludeManagementEventSources) > 0:
			gap = "it excludes the management events of " + strings.Join(es.ExcludeManagementEventSources, " and ")
		case es.ReadWriteType != cttypes.ReadWriteTypeAll && es.ReadWriteType != "":
			gap = fmt.Sprintf("it logs only %s management events (ReadWriteType %s), not all", strings.TrimSuffix(string(es.ReadWriteType), "Only"), es.ReadWriteType)
		default:
			return ""
		}
	}
	for _, as := range out.AdvancedEventSelectors {
		if g, management := advancedGap(as); management {
			if g == "" {
				return ""
			}
			gap = g
		}
	}
	return gap
}

// advancedGap reads an advanced event selector: whether it selects management events, and what
// it leaves out of them (a readOnly condition, or event sources it filters).
func advancedGap(as cttypes.AdvancedEventSelector) (gap string, management bool) {
	var other []string
	for _, f := range as.FieldSelectors {
		field := aws.ToString(f.Field)
		switch {
		case field == "eventCategory" && len(f.Equals) == 1 && f.Equals[0] == "Management":
			management = true
		case field == "readOnly":
			other = append(other, "it logs only readOnly="+strings.Join(f.Equals, ",")+" management events, not all")
		case field == "eventSource":
			other = append(other, "it filters management events by event source ("+strings.Join(append(f.NotEquals, f.Equals...), ", ")+")")
		}
	}
	if len(other) > 0 {
		gap = strings.Join(other, "; ")
	}
	return gap, management
}

func readFilters(ctx context.Context, api MetricFiltersAPI, group string) ([]filterView, error) {
	var out []filterView
	var token *string
	for page := 0; page < maxPages; page++ {
		res, err := api.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("describe metric filters of log group %s: %w", group, err)
		}
		for _, f := range res.MetricFilters {
			v := filterView{name: aws.ToString(f.FilterName), pattern: aws.ToString(f.FilterPattern)}
			if len(f.MetricTransformations) > 0 {
				v.namespace = aws.ToString(f.MetricTransformations[0].MetricNamespace)
				v.metric = aws.ToString(f.MetricTransformations[0].MetricName)
			}
			out = append(out, v)
		}
		if res.NextToken == nil || aws.ToString(res.NextToken) == aws.ToString(token) {
			break
		}
		token = res.NextToken
	}
	return out, nil
}

func readAlarms(ctx context.Context, api AlarmsAPI) ([]alarmView, error) {
	var out []alarmView
	var token *string
	for page := 0; page < maxPages; page++ {
		res, err := api.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("describe alarms: %w", err)
		}
		for _, a := range res.MetricAlarms {
			out = append(out, alarmView{name: aws.ToString(a.AlarmName), namespace: aws.ToString(a.Namespace),
				metric: aws.ToString(a.MetricName), actions: a.AlarmActions})
		}
		if res.NextToken == nil || aws.ToString(res.NextToken) == aws.ToString(token) {
			break
		}
		token = res.NextToken
	}
	return out, nil
}

// readTopic counts a topic's confirmed subscriptions. SNS lists an unconfirmed one with the
// SubscriptionArn "PendingConfirmation" (and one being deleted with "Deleted"); only a real ARN
// is a subscriber Security Hub and CIS count.
func readTopic(ctx context.Context, api SubscriptionsAPI, arn string) topicView {
	v := topicView{exists: true}
	var token *string
	for page := 0; page < maxPages; page++ {
		res, err := api.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn), NextToken: token})
		var notFound *snstypes.NotFoundException
		var denied *snstypes.AuthorizationErrorException
		switch {
		case errors.As(err, &notFound):
			return topicView{}
		case errors.As(err, &denied):
			// Security Hub reports WARNING here: the topic belongs to another account that
			// does not let this one list its subscriptions.
			v.listErr = fmt.Errorf("list subscriptions of topic %s (another account's topic?): %w", arn, err)
			return v
		case err != nil:
			v.listErr = fmt.Errorf("list subscriptions of topic %s: %w", arn, err)
			return v
		}
		for _, sub := range res.Subscriptions {
			if id := aws.ToString(sub.SubscriptionArn); strings.HasPrefix(id, "arn:") {
				v.confirmed++
				if v.firstConfirmed == "" {
					v.firstConfirmed = aws.ToString(sub.Protocol) + ":" + aws.ToString(sub.Endpoint)
				}
			} else {
				v.pending++
			}
		}
		if res.NextToken == nil || aws.ToString(res.NextToken) == aws.ToString(token) {
			break
		}
		token = res.NextToken
	}
	return v
}

// isTopicARN reports whether an alarm action is an SNS topic (arn:PARTITION:sns:...).
func isTopicARN(action string) bool {
	parts := strings.SplitN(action, ":", 4)
	return len(parts) == 4 && parts[0] == "arn" && parts[2] == "sns"
}
