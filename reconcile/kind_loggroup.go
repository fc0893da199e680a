package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/kmswatch/kmswatch/spec"
)

// logGroupKind is the CloudWatch Logs log group a Monitor's trail delivers to and its metric
// filters read. It holds the audit trail: when removed from a Monitor it is kept unless its
// deletion policy says Delete.
//
// The marker costs a log group nothing on create (CreateLogGroup takes tags) and one
// logs:TagResource on an update (PutRetentionPolicy takes none); reading it fresh is one
// logs:ListTagsForResource.
type logGroupKind struct{}

func (logGroupKind) desire(s *State, m spec.Monitor, env Env) {
	lg := m.Spec.LogGroup
	if lg.Name == "" {
		return
	}
	s.LogGroup = &LogGroup{
		Name:            lg.Name,
		ARN:             env.logGroupARN(lg.Name),
		RetentionInDays: int32(lg.RetentionInDays),
		Tags:            ownerTags(s, lg.Ownership),
		Adopt:           lg.Adopt,
	}
}

// observe reads the log groups of every Monitor at once, 50 names a DescribeLogGroups call.
func (logGroupKind) observe(ctx context.Context, o *observer) error {
	each := make([]map[string]bool, len(o.wants))
	for i, w := range o.wants {
		var desired string
		if w.LogGroup != nil {
			desired = w.LogGroup.Name
		}
		each[i] = o.names(i, KindLogGroup, desired)
	}
	names := o.allNames(each)
	groups, err := describeLogGroups(ctx, o.r, names)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, ok := groups[n]; !ok {
			o.gone(logGroupRef(n))
		}
	}
	for i := range o.wants {
		for _, n := range slices.Sorted(maps.Keys(each[i])) {
			lg, ok := groups[n]
			if !ok {
				continue
			}
			tags, err := o.tags(ctx, logGroupRef(n), func(ctx context.Context) (map[string]string, error) {
				return logGroupTags(n, lg.ARN).read(ctx, o.r)
			})
			if err != nil {
				o.fail(i, err)
				continue
			}
			lg.Tags = tags
			o.gots[i].LogGroups = append(o.gots[i].LogGroups, lg)
		}
	}
	return nil
}

// describeLogGroups finds log groups by exact name, 50 names a call (logGroupIdentifiers' limit).
// Names are compared exactly: moto ignores logGroupIdentifiers and answers every group, page by page.
func describeLogGroups(ctx context.Context, r *region, names []string) (map[string]LogGroup, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]LogGroup{}
	for batch := range slices.Chunk(names, 50) {
		pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(r.clients.Logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: batch},
			func(o *cloudwatchlogs.DescribeLogGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
		for pages.HasMorePages() {
			res, err := pages.NextPage(ctx)
			if isNotFound(err) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("describe log groups %v: %w", batch, err)
			}
			for _, g := range res.LogGroups {
				name := aws.ToString(g.LogGroupName)
				if _, seen := out[name]; !want[name] || seen {
					continue
				}
				lg := LogGroup{Name: name, ARN: aws.ToString(g.LogGroupArn), RetentionInDays: aws.ToInt32(g.RetentionInDays)}
				if lg.ARN == "" {
					lg.ARN = strings.TrimSuffix(aws.ToString(g.Arn), ":*")
				}
				if lg.ARN == "" {
					lg.ARN = r.env.logGroupARN(name)
				}
				out[name] = lg
			}
		}
	}
	return out, nil
}

func (logGroupKind) plan(p *planner, want *State, got *Actual) (upserts, deletes []Step) {
	if w := want.LogGroup; w != nil {
		g := findByName(got.LogGroups, w.Name, func(l LogGroup) string { return l.Name })
		var gotTags map[string]string
		if g != nil {
			gotTags = g.Tags
		}
		c := p.decide(logGroupRef(w.Name), w.Adopt, g != nil, gotTags, func() []FieldChange { return diffLogGroup(w, g) })
		upserts = append(upserts, p.step(c, w.Tags, gotTags, logGroupTags(w.Name, w.ARN), func(ctx context.Context, r *region) error {
			return writeLogGroup(ctx, r, w, c)
		}))
	}
	for _, g := range got.LogGroups {
		if p.owns(g.Tags) && (want.LogGroup == nil || want.LogGroup.Name != g.Name) {
			deletes = append(deletes, p.prune(logGroupRef(g.Name), g.Tags, spec.DefaultLogGroupDeletionPolicy, logGroupTags(g.Name, g.ARN),
				func(ctx context.Context, r *region) error {
					_, err := r.clients.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(g.Name)})
					return ignoreNotFound(err, "delete log group %s", g.Name)
				}))
		}
	}
	return upserts, deletes
}

func diffLogGroup(want, got *LogGroup) []FieldChange {
	var d fieldDiff
	if got.RetentionInDays != want.RetentionInDays {
		d = append(d, FieldChange{Field: "retentionInDays", From: retention(got.RetentionInDays), To: retention(want.RetentionInDays)})
	}
	d.tags(got.Tags, want.Tags)
	return d
}

func retention(days int32) string {
	if days == 0 {
		return "never"
	}
	return strconv.Itoa(int(days))
}

// logGroupTags reaches a log group's tags, by its ARN without ":*".
func logGroupTags(name, arn string) tagIO {
	return tagIO{
		read: func(ctx context.Context, r *region) (map[string]string, error) {
			out, err := r.clients.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return out.Tags, nil
		},
		write: func(ctx context.Context, r *region, tags map[string]string) error {
			if _, err := r.clients.Logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags}); err != nil {
				return fmt.Errorf("tag log group %s: %w", name, err)
			}
			return nil
		},
	}
}

// writeLogGroup creates a log group (tagged, so that a crash cannot leave an untagged group that
// the next pass would take for someone else's), or repairs its retention; the planner writes an
// update's tags.
func writeLogGroup(ctx context.Context, r *region, w *LogGroup, c Change) error {
	if c.Action == ActionCreate {
		_, err := r.clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(w.Name), Tags: w.Tags})
		if err != nil {
			return fmt.Errorf("create log group %s: %w", w.Name, err)
		}
		if w.RetentionInDays > 0 {
			return setRetention(ctx, r, w)
		}
		return nil
	}
	if changed(c.Changes, "retentionInDays") {
		return setRetention(ctx, r, w)
	}
	return nil
}

// setRetention puts the retention policy, or deletes it for "never expire".
func setRetention(ctx context.Context, r *region, w *LogGroup) error {
	if w.RetentionInDays == 0 {
		if _, err := r.clients.Logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(w.Name)}); err != nil {
			return fmt.Errorf("delete retention policy of log group %s: %w", w.Name, err)
		}
		return nil
	}
	_, err := r.clients.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(w.Name), RetentionInDays: aws.Int32(w.RetentionInDays)})
	if err != nil {
		return fmt.Errorf("put retention policy of log group %s: %w", w.Name, err)
	}
	return nil
}

// findByName is the element of s whose name is name, or nil.
func findByName[T any](s []T, name string, nameOf func(T) string) *T {
	for i := range s {
		if nameOf(s[i]) == name {
			return &s[i]
		}
	}
	return nil
}
