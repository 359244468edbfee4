package activation

// The published error codes of offline activation files. Like core's, they
// never change meaning or spelling once released. Each comment gives the
// core.Kind it comes with.
const (
	CodeRequestTooLarge  = "activation.request_too_large" // Invalid: over MaxFileSize
	CodeRequestMalformed = "activation.request_malformed" // Invalid: not a well-formed, canonical request file
	CodeRequestChecksum  = "activation.request_checksum"  // Invalid: cut short, edited or read wrong
	CodeRequestVersion   = "activation.request_version"   // Invalid: written by a newer License Desk
	CodeRequestInvalid   = "activation.request_invalid"   // Invalid: a field breaks a rule (key, nonce, machine, fingerprint, time)

	CodeReceiptTooLarge  = "activation.receipt_too_large" // Invalid
	CodeReceiptMalformed = "activation.receipt_malformed" // Invalid
	CodeReceiptChecksum  = "activation.receipt_checksum"  // Invalid
	CodeReceiptVersion   = "activation.receipt_version"   // Invalid
	CodeReceiptInvalid   = "activation.receipt_invalid"   // Invalid: a field breaks a rule
	CodeReceiptMAC       = "activation.receipt_mac"       // Forbidden: not made with this activation's secret

	CodeResponseTooLarge  = "activation.response_too_large" // Invalid
	CodeResponseMalformed = "activation.response_malformed" // Invalid
	CodeResponseUntrusted = "activation.response_untrusted" // Forbidden: signed by no trusted key, or altered
	CodeResponseMismatch  = "activation.response_mismatch"  // Invalid: answers another request (key, nonce or machine)
)

var (
	requestCodes = fileCodes{what: "activation request", tooLarge: CodeRequestTooLarge, malformed: CodeRequestMalformed,
		checksum: CodeRequestChecksum, badVersion: CodeRequestVersion}
	receiptCodes = fileCodes{what: "deactivation receipt", tooLarge: CodeReceiptTooLarge, malformed: CodeReceiptMalformed,
		checksum: CodeReceiptChecksum, badVersion: CodeReceiptVersion}
)
