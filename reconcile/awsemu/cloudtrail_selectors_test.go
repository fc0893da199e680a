package awsemu

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestCloudTrailEventSelectors(t *testing.T) {
	_, cfg := ctEnv(t)
	ct := cloudtrail.NewFromConfig(cfg)
	ctx := context.Background()
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main")})
	// A trail created without selectors reports the default one.
	got, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.EventSelectors) != 1 || got.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll ||
		!aws.ToBool(got.EventSelectors[0].IncludeManagementEvents) || len(got.EventSelectors[0].ExcludeManagementEventSources) != 0 ||
		got.AdvancedEventSelectors != nil || aws.ToString(got.TrailARN) != "arn:aws:cloudtrail:us-east-1:123456789012:trail/main" {
		t.Fatalf("default selectors %+v", got)
	}
	put, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// IncludeManagementEvents defaults to true.
	if !aws.ToBool(put.EventSelectors[0].IncludeManagementEvents) || put.EventSelectors[0].ExcludeManagementEventSources[0] != "kms.amazonaws.com" {
		t.Fatalf("put output %+v", put.EventSelectors)
	}
	tr, _ := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})
	if !aws.ToBool(tr.Trail.HasCustomEventSelectors) {
		t.Fatal("HasCustomEventSelectors is false after PutEventSelectors")
	}
	// Advanced selectors replace basic ones entirely.
	adv := []cttypes.AdvancedEventSelector{{Name: aws.String("no kms"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
		{Field: aws.String("eventSource"), NotEquals: []string{"kms.amazonaws.com"}},
	}}}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), AdvancedEventSelectors: adv}); err != nil {
		t.Fatal(err)
	}
	got, _ = ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")})
	if got.EventSelectors != nil || len(got.AdvancedEventSelectors) != 1 || aws.ToString(got.AdvancedEventSelectors[0].Name) != "no kms" ||
		got.AdvancedEventSelectors[0].FieldSelectors[1].NotEquals[0] != "kms.amazonaws.com" {
		t.Fatalf("advanced selectors %+v", got)
	}
	six := make([]cttypes.EventSelector, 6)
	for i := range six {
		six[i] = cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll}
	}
	bad := map[string]*cloudtrail.PutEventSelectorsInput{
		"both kinds": {EventSelectors: []cttypes.EventSelector{{}}, AdvancedEventSelectors: adv},
		"neither":    {},
		"six":        {EventSelectors: six},
		"exclude s3": {EventSelectors: []cttypes.EventSelector{{ExcludeManagementEventSources: []string{"s3.amazonaws.com"}}}},
		"read-only":  {EventSelectors: []cttypes.EventSelector{{ReadWriteType: "read-only"}}},
		"data type":  {EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::EC2::Instance"), Values: []string{"x"}}}}}},
		"no category": {AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("readOnly"), Equals: []string{"true"}}}}}},
		"readOnly maybe": {AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("readOnly"), Equals: []string{"maybe"}}}}}},
		"unknown field": {AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("colour"), Equals: []string{"red"}}}}}},
		"no condition": {AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("eventSource")}}}}},
	}
	for name, in := range bad {
		in.TrailName = aws.String("main")
		_, err := ct.PutEventSelectors(ctx, in)
		var inv *cttypes.InvalidEventSelectorsException
		if !errors.As(err, &inv) {
			t.Errorf("%s: want InvalidEventSelectorsException, got %v", name, err)
		}
	}
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("nope"), EventSelectors: []cttypes.EventSelector{{}}})
	logsWantCode(t, err, "TrailNotFoundException")
	_, err = cloudtrail.NewFromConfig(inRegion(cfg, "eu-west-1")).PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String("arn:aws:cloudtrail:us-east-1:123456789012:trail/main"), EventSelectors: []cttypes.EventSelector{{}}})
	logsWantCode(t, err, "InvalidHomeRegionException")
}

func TestCloudTrailTags(t *testing.T) {
	_, cfg := ctEnv(t)
	ct := cloudtrail.NewFromConfig(cfg)
	ctx := context.Background()
	arn := ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), TagsList: []cttypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}).TrailARN
	other := ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("other")}).TrailARN
	if _, err := ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("a"), Value: aws.String("2")}, {Key: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn, *other}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceTagList) != 2 || len(out.ResourceTagList[0].TagsList) != 1 || aws.ToString(out.ResourceTagList[0].TagsList[0].Value) != "2" ||
		len(out.ResourceTagList[1].TagsList) != 0 {
		t.Fatalf("ListTags %+v", out.ResourceTagList)
	}
	var many []cttypes.Tag
	for i := 0; i < 50; i++ {
		many = append(many, cttypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: many})
	var lim *cttypes.TagsLimitExceededException
	if !errors.As(err, &lim) {
		t.Fatalf("51 tags: %v", err)
	}
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = *arn
	}
	for name, tc := range map[string]struct {
		err  error
		code string
	}{
		"by name": {func() error {
			_, err := ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("main"), TagsList: []cttypes.Tag{}})
			return err
		}(), "CloudTrailARNInvalidException"},
		"missing": {func() error {
			_, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn + "x"}})
			return err
		}(), "ResourceNotFoundException"},
		"21 resources": {func() error { _, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: ids}); return err }(), "InvalidParameterException"},
		"empty key": {func() error {
			_, err := ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("")}}})
			return err
		}(), "InvalidTagParameterException"},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		logsWantCode(t, tc.err, tc.code)
	}
}
