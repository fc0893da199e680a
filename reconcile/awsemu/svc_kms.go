package awsemu

// registerKMS adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerKMS(e *Emulator) {}
