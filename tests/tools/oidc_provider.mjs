// A real OpenID Connect provider for the console's sign-in tests: the npm package
// `oidc-provider` (pinned in package.json), on 127.0.0.1 only. Its own development login and
// consent pages stand in for an organisation's: any login name from ACCOUNTS signs in.
// Usage: node oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const ACCOUNTS = {
  alice: { email: "alice@example.com", email_verified: true, groups: ["eng-maintainers"] },
  carol: { email: "carol@example.com", email_verified: true, groups: ["release-eng", "eng-maintainers"] },
  mallory: { email: "mallory@example.com", email_verified: true, groups: ["eng-maintainers"] },
  nogroup: { email: "alice@example.com", email_verified: true, groups: ["marketing"] },
  unverified: { email: "alice@example.com", email_verified: false, groups: ["eng-maintainers"] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
  conformIdTokenClaims: false, // the claims go into the ID token the console verifies
  pkce: { required: () => true },
  cookies: { keys: ["signoff-test-only-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.proxy = false;
const server = provider.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write(`ready ${provider.issuer}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
