package awsemu

// kmsService is the emulated KMS. (Being written.)
type kmsService struct{}

// registerKMS adds the service's operations and pipeline steps. (Being written: see doc.go.)
func registerKMS(e *Emulator) { e.kms = &kmsService{} }
