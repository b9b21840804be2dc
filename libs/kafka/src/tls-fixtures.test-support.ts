/**
 * Test fixtures only (made once with openssl; they protect nothing): a self-signed EC certificate (CN "unit-test
 * only", valid until 2126), its key, and the key of another pair. Also a CA that signed none of the test broker's
 * certificates, for the "untrusted CA" case.
 */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUZqXgMmepCKgdx+1rzZKlOSmvbpQwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOdW5pdC10ZXN0IG9ubHkwIBcNMjYxMTIzMDkyNzA2WhgPMjEy
NjEwMzAwOTI3MDZaMBkxFzAVBgNVBAMMDnVuaXQtdGVzdCBvbmx5MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEl78aQNjaSK1qQYwGDqT5B2LX+2Y6mYbjoLwUNHsF
L2g4btu4Fc2xPjKOn35GjJblPhzUizkh+3/gp0tPYrtbbaNTMFEwHQYDVR0OBBYE
FH0gOsZxsAF2NPFeF0wU/g1mVvKrMB8GA1UdIwQYMBaAFH0gOsZxsAF2NPFeF0wU
/g1mVvKrMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgEVLiUaNO
MIh9IOnPbxRf1UhfmnlAF8CgbRqwaf1/oQ4CIQCw5uWWa/fzI18y/GUTB+e9P4T9
wcxmPh61K6i+u+vUbw==
-----END CERTIFICATE-----
`;
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg40h4oEbxp55fbRcx
quIcN3vE4CgCt0DSX9pT1FGD/+6hRANCAASXvxpA2NpIrWpBjAYOpPkHYtf7ZjqZ
huOgvBQ0ewUvaDhu27gVzbE+Mo6ffkaMluU+HNSLOSH7f+CnS09iu1tt
-----END PRIVATE KEY-----
`;
export const TEST_OTHER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgj9ndYkUBSbcuNmRK
Rqpjol4FwxEvJY8PEL+jzK+CnlmhRANCAATkzttBEcGKgGGfWIsZqyc8+7AQa8LG
kUI7ygqHv0qe9Uy6RGBoLEf2J7xQTlXeHtt0karYHVExQdeVgQPTaKk4
-----END PRIVATE KEY-----
`;
