package awsemu

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// Every call in the log names the access key that signed it and the principal that key maps
// to, so a test running several kmswatch processes (one key each) can attribute every write —
// refused calls included. An unknown key works as before, as the IAM user emulator-user.
func TestCallLogNamesTheCaller(t *testing.T) {
	e := New(Options{AccountID: "123456789012"})
	e.AddUser("AKIDPROCA", "kmswatch-a")
	e.AddRoleSession("AKIDPROCB", "arn:aws:iam::123456789012:role/kmswatch", "task-b")
	ctx := context.Background()
	a := cloudwatch.NewFromConfig(emuConfig(e, "AKIDPROCA"))
	b := cloudwatch.NewFromConfig(emuConfig(e, "AKIDPROCB"))
	stranger := sns.NewFromConfig(emuConfig(e, "AKIDSTRANGER"))

	if _, err := a.PutMetricAlarm(ctx, alarmInput("from-a")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutMetricAlarm(ctx, alarmInput("from-b")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")}); err != nil {
		t.Fatalf("an unknown access key must keep working: %v", err)
	}
	remove := e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "DeleteAlarms", Kind: ServerError})
	_, err := a.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"from-a"}})
	wantCode(t, err, "InternalServiceError", "InternalServiceFault")
	remove()

	writes := map[string][]string{}
	for _, r := range e.Instruments().CallLog() {
		if awsop.IsWrite(r.Service + ":" + r.Op) {
			key := fmt.Sprintf("%s %s", r.AccessKey, r.Principal)
			writes[key] = append(writes[key], r.Service+":"+r.Op+"/"+r.Code)
		}
	}
	want := map[string][]string{
		"AKIDPROCA arn:aws:iam::123456789012:user/kmswatch-a":              {"cloudwatch:PutMetricAlarm/", "cloudwatch:DeleteAlarms/InternalServiceError"},
		"AKIDPROCB arn:aws:sts::123456789012:assumed-role/kmswatch/task-b": {"cloudwatch:PutMetricAlarm/"},
		"AKIDSTRANGER arn:aws:iam::123456789012:user/emulator-user":        {"sns:CreateTopic/"},
	}
	if !reflect.DeepEqual(writes, want) {
		t.Fatalf("writes by caller:\n got %v\nwant %v", writes, want)
	}
}

// Instruments is the whole test surface: resetting it forgets calls but no AWS state.
func TestInstrumentsResetKeepsState(t *testing.T) {
	e := New(Options{})
	cw := cloudwatch.NewFromConfig(emuConfig(e, "AKIDTEST"))
	ctx := context.Background()
	if _, err := cw.PutMetricAlarm(ctx, alarmInput("kept")); err != nil {
		t.Fatal(err)
	}
	in := e.Instruments()
	if got := in.WriteCalls(); !reflect.DeepEqual(got, []string{"cloudwatch:PutMetricAlarm"}) {
		t.Fatalf("WriteCalls = %v", got)
	}
	in.ResetCalls()
	if len(in.CallLog()) != 0 || len(in.Calls()) != 0 {
		t.Fatal("ResetCalls left calls behind")
	}
	describeOne(t, cw, "kept")
	if got := in.Calls(); !reflect.DeepEqual(got, map[string]int{"cloudwatch:DescribeAlarms": 1}) {
		t.Fatalf("Calls after reset = %v", got)
	}
}
