package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/kmswatch/kmswatch/reconcile/audit"
)

// regionList is a repeatable --region flag.
type regionList []string

func (r *regionList) String() string { return strings.Join(*r, ",") }

func (r *regionList) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// runAudit is `kmswatch audit [--region R ...] [--output text|json]`: a read-only check of the
// account against Security Hub's CloudWatch.1-14. Exit 0 every control passes, 2 some fail, 1 some
// could not be read, 3 usage.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var regions regionList
	fs.Var(&regions, "region", "region to audit; repeat for several (default: the AWS configuration's)")
	output := fs.String("output", "text", "text or json (JSON lines, one per control)")
	endpoint := fs.String("endpoint-url", "", "AWS endpoint for every service (moto, LocalStack); AWS_ENDPOINT_URL works too")
	proto := fs.String("cloudwatch-protocol", "cbor", "wire protocol to CloudWatch: cbor, query (moto) or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInvalid
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if !slices.Contains([]string{"text", "json"}, *output) {
		problems = append(problems, fmt.Sprintf("--output: must be text or json, got %q", *output))
	}
	if !slices.Contains([]string{"cbor", "query", "json"}, *proto) {
		problems = append(problems, fmt.Sprintf("--cloudwatch-protocol: must be cbor, query or json, got %q", *proto))
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "kmswatch audit: %s\n", p)
		}
		return exitInvalid
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch audit: load AWS configuration: %v\n", err)
		return audit.ExitUnreadable
	}
	if *endpoint != "" {
		cfg.BaseEndpoint = aws.String(*endpoint)
	}
	if len(regions) == 0 && cfg.Region == "" {
		fmt.Fprintln(stderr, "kmswatch audit: no region: give --region or configure one (AWS_REGION)")
		return exitInvalid
	}
	if len(regions) == 0 {
		regions = regionList{cfg.Region}
	}
	report := audit.Run(ctx, auditRegions(cfg, regions, *proto))
	write := audit.WriteText
	if *output == "json" {
		write = audit.WriteJSON
	}
	if err := write(stdout, report); err != nil {
		fmt.Fprintf(stderr, "kmswatch audit: %v\n", err)
		return audit.ExitUnreadable
	}
	return report.ExitCode()
}

// auditRegions builds the read clients for each region from one AWS configuration.
func auditRegions(cfg aws.Config, regions []string, proto string) []audit.Region {
	out := make([]audit.Region, len(regions))
	for i, name := range regions {
		rc := cfg.Copy()
		rc.Region = name
		out[i] = audit.Region{Name: name, Clients: audit.Clients{
			CloudTrail: cloudtrail.NewFromConfig(rc),
			Logs:       cloudwatchlogs.NewFromConfig(rc),
			CloudWatch: cloudwatch.NewFromConfig(rc, func(o *cloudwatch.Options) {
				switch proto {
				case "query":
					o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
				case "json":
					o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
					// moto decompresses a gzipped JSON body twice and answers 500.
					o.DisableRequestCompression = true
				}
			}),
			SNS: sns.NewFromConfig(rc),
		}}
	}
	return out
}
