package io.shepherd.protocol;

/**
 * The files of a machine's TLS folder ({@code shepherd.tls.dir}), as {@code bin/shepherd certs}
 * writes them: read by members (Artery and the API), the CLI and the Java and Python clients.
 */
public final class TlsFiles {

  /** This machine's key and certificate, signed by the cluster's CA (PKCS12). */
  public static final String KEY_STORE = "keystore.p12";
  /** The cluster's CA certificate (PKCS12). */
  public static final String TRUST_STORE = "truststore.p12";
  /** The password of both stores. */
  public static final String PASSWORD = "password";
  /** The API's bearer tokens, with their roles. */
  public static final String API_TOKENS = "api-tokens";
  /** The cluster's CA certificate, this machine's certificate and its key, as PEM (for Python and curl). */
  public static final String CA_PEM = "ca.pem";
  public static final String CERT_PEM = "cert.pem";
  public static final String KEY_PEM = "key.pem";

  private TlsFiles() {}
}
