package awsemu

// registerLogs adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerLogs(e *Emulator) {}
