package reconcile

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// CloudTrail.

type fakeTrails struct{ f *fakeAWS }

func (c fakeTrails) trail(name string) (*fakeTrail, error) {
	t, ok := c.f.trails[name]
	if !ok {
		return nil, apiErr("TrailNotFoundException", "Unknown trail: %s", name)
	}
	return t, nil
}

func (c fakeTrails) DescribeTrails(_ context.Context, _ *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "DescribeTrails"); err != nil {
		return nil, err
	}
	out := &cloudtrail.DescribeTrailsOutput{}
	for _, n := range sortedKeys(f.trails) {
		out.TrailList = append(out.TrailList, f.trails[n].def)
	}
	return out, nil
}

func (c fakeTrails) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "GetTrailStatus"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(t.logging)}, nil
}

func (c fakeTrails) GetEventSelectors(_ context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "GetEventSelectors"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetEventSelectorsOutput{EventSelectors: t.basic, AdvancedEventSelectors: t.advanced}, nil
}

func (c fakeTrails) CreateTrail(_ context.Context, in *cloudtrail.CreateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "CreateTrail"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.Name)
	if _, ok := f.trails[n]; ok {
		return nil, apiErr("TrailAlreadyExistsException", "Trail %s already exists", n)
	}
	arn := f.env.trailARN(n)
	f.trails[n] = &fakeTrail{
		def: ctypes.Trail{Name: in.Name, TrailARN: aws.String(arn), HomeRegion: aws.String(f.env.Region),
			S3BucketName: in.S3BucketName, S3KeyPrefix: in.S3KeyPrefix, CloudWatchLogsLogGroupArn: in.CloudWatchLogsLogGroupArn,
			CloudWatchLogsRoleArn: in.CloudWatchLogsRoleArn, IsMultiRegionTrail: aws.Bool(aws.ToBool(in.IsMultiRegionTrail)),
			LogFileValidationEnabled: aws.Bool(aws.ToBool(in.EnableLogFileValidation)), KmsKeyId: in.KmsKeyId},
		basic: []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}},
	}
	f.trailTags[arn] = map[string]string{}
	for _, t := range in.TagsList {
		f.trailTags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &cloudtrail.CreateTrailOutput{TrailARN: aws.String(arn)}, nil
}

func (c fakeTrails) UpdateTrail(_ context.Context, in *cloudtrail.UpdateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "UpdateTrail"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	d := &t.def
	set := func(dst **string, v *string) {
		if v != nil {
			if *v == "" {
				*dst = nil
			} else {
				*dst = v
			}
		}
	}
	set(&d.S3BucketName, in.S3BucketName)
	set(&d.S3KeyPrefix, in.S3KeyPrefix)
	set(&d.CloudWatchLogsLogGroupArn, in.CloudWatchLogsLogGroupArn)
	set(&d.CloudWatchLogsRoleArn, in.CloudWatchLogsRoleArn)
	set(&d.KmsKeyId, in.KmsKeyId)
	if in.IsMultiRegionTrail != nil {
		d.IsMultiRegionTrail = in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		d.LogFileValidationEnabled = in.EnableLogFileValidation
	}
	return &cloudtrail.UpdateTrailOutput{}, nil
}

func (c fakeTrails) DeleteTrail(_ context.Context, in *cloudtrail.DeleteTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DeleteTrailOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "DeleteTrail"); err != nil {
		return nil, err
	}
	if _, err := c.trail(aws.ToString(in.Name)); err != nil {
		return nil, err
	}
	delete(c.f.trails, aws.ToString(in.Name))
	delete(c.f.trailTags, c.f.env.trailARN(aws.ToString(in.Name)))
	return &cloudtrail.DeleteTrailOutput{}, nil
}

func (c fakeTrails) PutEventSelectors(_ context.Context, in *cloudtrail.PutEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "PutEventSelectors"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	if (len(in.EventSelectors) > 0) == (len(in.AdvancedEventSelectors) > 0) {
		return nil, apiErr("InvalidEventSelectorsException", "give EventSelectors or AdvancedEventSelectors")
	}
	t.basic, t.advanced = in.EventSelectors, in.AdvancedEventSelectors
	return &cloudtrail.PutEventSelectorsOutput{}, nil
}

func (c fakeTrails) StartLogging(_ context.Context, in *cloudtrail.StartLoggingInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "StartLogging"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(aws.ToString(in.Name), "arn:") {
		return nil, apiErr("InternalFailure", "moto 5.2.1 fails StartLogging given an ARN")
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	t.logging = true
	return &cloudtrail.StartLoggingOutput{}, nil
}

func (c fakeTrails) AddTags(_ context.Context, in *cloudtrail.AddTagsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.AddTagsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "AddTags"); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.ResourceId)
	if f.trailTags[arn] == nil {
		f.trailTags[arn] = map[string]string{}
	}
	for _, t := range in.TagsList {
		f.trailTags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &cloudtrail.AddTagsOutput{}, nil
}

func (c fakeTrails) ListTags(_ context.Context, in *cloudtrail.ListTagsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.ListTagsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "ListTags"); err != nil {
		return nil, err
	}
	if len(in.ResourceIdList) > 20 {
		return nil, apiErr("InvalidParameterException", "at most 20 ARNs")
	}
	out := &cloudtrail.ListTagsOutput{}
	for _, arn := range in.ResourceIdList {
		rt := ctypes.ResourceTag{ResourceId: aws.String(arn)}
		for k, v := range f.trailTags[arn] {
			rt.TagsList = append(rt.TagsList, ctypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out.ResourceTagList = append(out.ResourceTagList, rt)
	}
	return out, nil
}
