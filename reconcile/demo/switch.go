package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/spec"
)

// The dead man's switch: the heartbeat arms it, a broken delivery is reported at once, and when
// no heartbeat has reached the log group for alarmAfter the switch's email arrives.

// heartbeat makes kmswatch's heartbeat, as the daemon does every spec.heartbeat.every.
func (s *story) heartbeat(ctx context.Context) error {
	if _, err := s.lab.ctrl.Heartbeat(ctx, s.file.Monitors); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	s.lastBeat = s.lab.emu.Now()
	return nil
}

// advance moves the emulated clock minute by minute, kmswatch heartbeating every `every` as it
// goes; until, if set, stops it early. It returns how long it advanced.
func (s *story) advance(ctx context.Context, d time.Duration, until ...func() bool) (time.Duration, error) {
	every := s.m.Spec.Heartbeat.Every.Duration
	var moved time.Duration
	for moved < d {
		if s.lab.emu.Now().Sub(s.lastBeat) >= every {
			if err := s.heartbeat(ctx); err != nil {
				return moved, err
			}
		}
		step := min(time.Minute, d-moved)
		s.lab.emu.Advance(step)
		moved += step
		if len(until) > 0 && until[0]() {
			break
		}
	}
	return moved, nil
}

func (s *story) deadMansSwitch(ctx context.Context) error {
	name := s.m.HeartbeatName()
	s.p.step("The heartbeat has come through CloudTrail: kmswatch arms its dead man's switch")
	if err := s.pass(ctx, "pass after the first heartbeat", false); err != nil {
		return err
	}
	s.p.changes(s.res, false, true)
	if _, err := s.advance(ctx, 2*time.Minute); err != nil {
		return err
	}
	if err := s.pass(ctx, "pass after the switch was armed", false); err != nil {
		return err
	}
	s.p.say(s.res.Pipelines[0].Line(s.lab.emu.Now()))
	s.p.say(fmt.Sprintf("The alarm %s goes off when no heartbeat reached the log group for %s: the trail, its",
		name, spec.FormatDuration(s.m.Spec.Heartbeat.AlarmAfter.Duration)))
	s.p.say("delivery, the log group, the filter — or kmswatch itself — is down. It was created only once a heartbeat")
	s.p.say("had arrived, so it starts OK instead of crying wolf while CloudTrail delivers the first one.")

	role := s.m.Spec.Trail.CloudWatchLogsRoleArn
	s.p.step("Someone takes logs:PutLogEvents away from the role CloudTrail delivers with")
	s.lab.emu.DenyRoleLogs(role)
	broke := s.lab.emu.Now()
	if _, err := s.advance(ctx, awsemu.DefaultTrailDeliveryDelay+time.Minute); err != nil {
		return err
	}
	if err := s.pass(ctx, "pass after the role broke", false); err != nil {
		return err
	}
	s.p.say("Every resource is still in sync, yet nothing reaches the alarms. kmswatch's next pass says so:")
	s.p.say(s.res.Pipelines[0].Line(s.lab.emu.Now()))
	s.p.say("(kmswatch --once exits 1 on a broken pipeline.)")

	s.p.step("Time passes (emulated); kmswatch keeps heartbeating, and no heartbeat reaches the log group")
	before, err := s.lab.alarmState(ctx, name)
	if err != nil {
		return err
	}
	var state cwtypes.StateValue
	took, err := s.advance(ctx, 2*s.m.Spec.Heartbeat.AlarmAfter.Duration, func() bool {
		a, err := s.lab.alarmState(ctx, name)
		state = a.StateValue
		return err == nil && state == cwtypes.StateValueAlarm
	})
	if err != nil {
		return err
	}
	if state != cwtypes.StateValueAlarm {
		return fmt.Errorf("the switch %s is %s %v after the delivery broke, want ALARM", name, state, took)
	}
	s.p.say(fmt.Sprintf("Alarm %s: %s → ALARM, %s after the delivery broke: no heartbeat had reached the log group", name, before.StateValue,
		spec.FormatDuration(s.lab.emu.Now().Sub(broke))))
	s.p.say(fmt.Sprintf("for a whole %s. Had kmswatch itself stopped, the same email would have come.", spec.FormatDuration(s.m.Spec.Heartbeat.AlarmAfter.Duration)))
	endpoint := s.m.Spec.Topics[0].Subscriptions[0].Endpoint
	s.p.step(fmt.Sprintf("The email %s receives", endpoint))
	for _, d := range s.lab.emu.Outbox() {
		if d.Type == "Notification" && d.Endpoint == endpoint && strings.Contains(d.Subject, name) {
			s.p.mail(d)
			return nil
		}
	}
	return fmt.Errorf("no notification of the switch %s reached %s", name, endpoint)
}
