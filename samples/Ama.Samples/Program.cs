using Ama.Samples;

// Runs each example of docs/examples.md in turn; the test ExamplesTests keeps the two in step.
LoggingExample.Run();
SecureBufferExample.Run();
ZeroExample.Run();
LockExample.Run();
ConstantTimeExample.Run();
StatusExample.Run();
KeyStoreExample.Run();
KeyRingExample.Run();
HmacExample.Run();
AeadExample.Run();
CurveExample.Run();
KeyFormatExample.Run();
ReadersExample.Run();
EnclaveExample.Run();
