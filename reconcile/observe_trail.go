package reconcile

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

const kmsSource = "kms.amazonaws.com"

// pass holds what one Reconcile pass reads once and shares between Monitors.
type pass struct {
	// trails are the region's own trails (no shadow copies of other regions' multi-region trails),
	// from one DescribeTrails call: their definitions, and the foreign trails that feed a log group.
	trails     []ctypes.Trail
	alarms     map[string]Alarm    // prefetched, by name, without tags
	logGroups  map[string]LogGroup // prefetched, by name, without tags
	filtersOf  map[string][]MetricFilter
	selectorOf map[string]TrailSelectors
}

func (c *regionController) describeTrails(ctx context.Context) ([]ctypes.Trail, error) {
	out, err := c.clients.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("describe trails: %w", err)
	}
	var trails []ctypes.Trail
	for _, t := range out.TrailList {
		// moto ignores IncludeShadowTrails=false for some regions; a shadow has another home region.
		if hr := aws.ToString(t.HomeRegion); hr != "" && hr != c.env.Region {
			continue
		}
		trails = append(trails, t)
	}
	return trails, nil
}

func (p *pass) trail(name string) *ctypes.Trail {
	for i := range p.trails {
		if aws.ToString(p.trails[i].Name) == name {
			return &p.trails[i]
		}
	}
	return nil
}

// observeTrail completes a trail's definition with its logging status and event selectors; nil
// when the trail does not exist.
func (c *regionController) observeTrail(ctx context.Context, name string, p *pass) (*Trail, error) {
	def := p.trail(name)
	if def == nil {
		c.owners.drop(KindTrail, name)
		return nil, nil
	}
	t := &Trail{
		Name:              name,
		ARN:               aws.ToString(def.TrailARN),
		S3BucketName:      aws.ToString(def.S3BucketName),
		S3KeyPrefix:       aws.ToString(def.S3KeyPrefix),
		LogGroupARN:       aws.ToString(def.CloudWatchLogsLogGroupArn),
		RoleARN:           aws.ToString(def.CloudWatchLogsRoleArn),
		MultiRegion:       aws.ToBool(def.IsMultiRegionTrail),
		LogFileValidation: aws.ToBool(def.LogFileValidationEnabled),
		KMSKeyID:          aws.ToString(def.KmsKeyId),
	}
	if t.ARN == "" {
		t.ARN = c.env.trailARN(name)
	}
	// Start/StopLogging and friends get the name, not the ARN: moto ≤5.2.2 answers 500 to an ARN.
	st, err := c.clients.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("get status of trail %s: %w", name, err)
	}
	t.Logging = aws.ToBool(st.IsLogging)
	if t.Selectors, err = p.selectors(ctx, c, name); err != nil {
		return nil, err
	}
	t.Management = t.Selectors.management()
	if t.Tags, err = c.tagsOf(ctx, KindTrail, name, t.ARN); err != nil {
		return nil, err
	}
	return t, nil
}

// selectors reads a trail's event selectors once per pass.
func (p *pass) selectors(ctx context.Context, c *regionController, name string) (TrailSelectors, error) {
	if s, ok := p.selectorOf[name]; ok {
		return s, nil
	}
	out, err := c.clients.CloudTrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)})
	if err != nil {
		return TrailSelectors{}, fmt.Errorf("get event selectors of trail %s: %w", name, err)
	}
	s := TrailSelectors{Basic: out.EventSelectors, Advanced: out.AdvancedEventSelectors}
	if p.selectorOf == nil {
		p.selectorOf = map[string]TrailSelectors{}
	}
	p.selectorOf[name] = s
	return s, nil
}

// management is the selectors' effect on management events.
func (s TrailSelectors) management() ManagementEvents {
	return managementEvents(s.Basic, s.Advanced)
}

// managementEvents reduces a trail's selectors to their effect on management events. A management
// event is logged when any selector logs it, so read/write types are united and excluded sources
// intersected. A trail with no selectors logs all management events (AWS's default). Only
// kms.amazonaws.com counts as an excluded source: the monitor does not need the other one
// CloudTrail can exclude (rdsdata.amazonaws.com), and a repair leaves it excluded.
func managementEvents(basic []ctypes.EventSelector, advanced []ctypes.AdvancedEventSelector) ManagementEvents {
	type sel struct {
		read, write bool
		excluded    map[string]bool
	}
	var sels []sel
	me := ManagementEvents{Advanced: len(advanced) > 0}
	if me.Advanced {
		for _, a := range advanced {
			s := sel{read: true, write: true, excluded: map[string]bool{}}
			mgmt := false
			for _, f := range a.FieldSelectors {
				switch aws.ToString(f.Field) {
				case "eventCategory":
					mgmt = contains(f.Equals, "Management")
				case "readOnly":
					if contains(f.Equals, "true") {
						s.write = false
					} else if contains(f.Equals, "false") {
						s.read = false
					}
				case "eventSource":
					if contains(f.NotEquals, kmsSource) || (len(f.Equals) > 0 && !contains(f.Equals, kmsSource)) {
						s.excluded[kmsSource] = true
					}
				}
			}
			if mgmt {
				sels = append(sels, s)
			}
		}
	} else if len(basic) == 0 {
		sels = append(sels, sel{read: true, write: true})
	} else {
		for _, b := range basic {
			if b.IncludeManagementEvents != nil && !*b.IncludeManagementEvents {
				continue
			}
			s := sel{read: true, write: true, excluded: map[string]bool{}}
			switch b.ReadWriteType {
			case ctypes.ReadWriteTypeReadOnly:
				s.write = false
			case ctypes.ReadWriteTypeWriteOnly:
				s.read = false
			}
			if contains(b.ExcludeManagementEventSources, kmsSource) {
				s.excluded[kmsSource] = true
			}
			sels = append(sels, s)
		}
	}
	me.Included = len(sels) > 0
	me.ReadWriteType = "All"
	if !me.Included {
		return me
	}
	var read, write bool
	for _, s := range sels {
		read, write = read || s.read, write || s.write
	}
	switch {
	case read && !write:
		me.ReadWriteType = "ReadOnly"
	case write && !read:
		me.ReadWriteType = "WriteOnly"
	}
	for src := range sels[0].excluded {
		all := true
		for _, s := range sels[1:] {
			all = all && s.excluded[src]
		}
		if all {
			me.ExcludedSources = append(me.ExcludedSources, src)
		}
	}
	sort.Strings(me.ExcludedSources)
	return me
}

// logsKMS reports whether selectors with this effect deliver KMS management events, reads included.
func (me ManagementEvents) logsKMS() bool {
	return me.Included && me.ReadWriteType == "All" && !contains(me.ExcludedSources, kmsSource)
}

// filters reads a log group's metric filters once per pass, 50 a page.
func (p *pass) filters(ctx context.Context, c *regionController, logGroup string) ([]MetricFilter, error) {
	if fs, ok := p.filtersOf[logGroup]; ok {
		return fs, nil
	}
	var out []MetricFilter
	in := &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(logGroup), Limit: aws.Int32(50)}
	for {
		res, err := c.clients.Logs.DescribeMetricFilters(ctx, in)
		if err != nil {
			if isNotFound(err) {
				break
			}
			return nil, fmt.Errorf("describe metric filters of log group %s: %w", logGroup, err)
		}
		for _, f := range res.MetricFilters {
			if aws.ToString(f.LogGroupName) != "" && aws.ToString(f.LogGroupName) != logGroup {
				continue
			}
			mf := MetricFilter{LogGroup: logGroup, Name: aws.ToString(f.FilterName), Pattern: aws.ToString(f.FilterPattern)}
			if len(f.MetricTransformations) > 0 {
				t := f.MetricTransformations[0]
				mf.Namespace = aws.ToString(t.MetricNamespace)
				mf.MetricName = aws.ToString(t.MetricName)
				mf.Value = aws.ToString(t.MetricValue)
				mf.DefaultValue = t.DefaultValue
				if mf.Unit = string(t.Unit); mf.Unit == "None" {
					mf.Unit = ""
				}
				var dims []string
				for k, v := range t.Dimensions {
					dims = append(dims, k+"="+v)
				}
				sort.Strings(dims)
				mf.Dimensions = joinComma(dims)
			}
			out = append(out, mf)
		}
		next := aws.ToString(res.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = res.NextToken
	}
	// AWS keeps one filter per name. moto's PutMetricFilter appends instead of replacing
	// (moto.md §2), so keep the last, newest entry of a name, or an update would never converge there.
	last := map[string]int{}
	for i, mf := range out {
		last[mf.Name] = i
	}
	dedup := out[:0]
	for i, mf := range out {
		if last[mf.Name] == i {
			dedup = append(dedup, mf)
		}
	}
	out = dedup
	if p.filtersOf == nil {
		p.filtersOf = map[string][]MetricFilter{}
	}
	p.filtersOf[logGroup] = out
	return out, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
