package main

import (
	"fmt"
	"io"
	"os"

	"github.com/go-logr/logr"
	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log formats accepted by newLogger.
const (
	logJSON    = "json"
	logConsole = "console"
)

// defaultLogFormat is console when w is a terminal, JSON otherwise (a container's log driver, a
// file, a pipe): people read terminals, machines read the rest.
func defaultLogFormat(w io.Writer) string {
	if isTerminal(w) {
		return logConsole
	}
	return logJSON
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newLogger builds the one zap logger of the process, writing to w in the given format, and
// returns it as a logr.Logger together with a function that flushes it. verbosity 0 logs info
// and errors; 1 adds the per-resource "unchanged" lines.
func newLogger(w io.Writer, format string, verbosity int) (logr.Logger, func(), error) {
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.TimeKey = "ts"
	encCfg.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	encCfg.EncodeDuration = zapcore.StringDurationEncoder
	var enc zapcore.Encoder
	switch format {
	case logJSON:
		enc = zapcore.NewJSONEncoder(encCfg)
	case logConsole:
		encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		if isTerminal(w) { // no escape codes in a file or a pipe
			encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		}
		encCfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		enc = zapcore.NewConsoleEncoder(encCfg)
	default:
		return logr.Discard(), func() {}, fmt.Errorf("log format %q: must be json or console", format)
	}
	if verbosity < 0 {
		verbosity = 0
	}
	// zapr maps logr's V(n) to zap level -n.
	level := zap.NewAtomicLevelAt(zapcore.Level(-verbosity))
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), level)
	zl := zap.New(core)
	return zapr.NewLogger(zl), func() { _ = zl.Sync() }, nil
}
