package awsemu

// registerSNS adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerSNS(e *Emulator) {}
