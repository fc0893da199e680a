package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kmswatch/kmswatch/reconcile/selectors"
)

// putSelectors repairs the trail's observed selectors so that every management event, KMS
// included, is logged read and write, and changes nothing else (selectors.Repair): a user's data
// event selectors survive the repair. A trail on advanced selectors keeps advanced selectors:
// moto does not clear advanced selectors when basic ones are put.
func putSelectors(ctx context.Context, r *region, trail string, observed selectors.Set) error {
	sel, err := selectors.Repair(observed)
	if err != nil {
		// Not terminal: the fix is the user's, in AWS, and the next pass must see it.
		return fmt.Errorf("repair event selectors of trail %s: %w", trail, err)
	}
	in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail), EventSelectors: sel.Basic, AdvancedEventSelectors: sel.Advanced}
	if _, err := r.clients.CloudTrail.PutEventSelectors(ctx, in); err != nil {
		return fmt.Errorf("put event selectors of trail %s: %w", trail, err)
	}
	return nil
}

func startLogging(ctx context.Context, r *region, trail string) error {
	if _, err := r.clients.CloudTrail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trail)}); err != nil {
		return fmt.Errorf("start logging of trail %s: %w", trail, err)
	}
	return nil
}

func trailTagList(m map[string]string) []ctypes.Tag {
	var out []ctypes.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, ctypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
