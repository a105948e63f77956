package v1alpha1

// TokenDialect is the wire format of a Connection's token endpoint.
// +kubebuilder:validation:Enum=Standard;CAM2;CamStreamer
type TokenDialect string

const (
	// TokenDialectStandard is RFC 6749 with the audience parameter, as HoxtonAi's
	// authorization server speaks it; revocation (RFC 7009) when revocationURL is set.
	TokenDialectStandard TokenDialect = "Standard"
	// TokenDialectCAM2 is CAM2API's token endpoint: client credentials only, JWT
	// tokens sent as "Authorization: JWT", refreshed at refreshURL within a day of
	// issue. It has no revocation.
	TokenDialectCAM2 TokenDialect = "CAM2"
	// TokenDialectCamStreamer is CamStreamer Cloud's token endpoint: the
	// RefreshToken grant (from an authorization code login), parameters in the URL
	// query, and revocation at revocationURL.
	TokenDialectCamStreamer TokenDialect = "CamStreamer"
)
