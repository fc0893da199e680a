package awsemu

// registerTagging adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerTagging(e *Emulator) {}
