/**
 * TLS material for client and peer URLs, as etcd 3.4's flags describe it: certificate and key
 * files read from PEM (PKCS#1, PKCS#8 and SEC1 EC keys, chains; BouncyCastle parses, the JDK's own
 * providers do the cryptography), trusted CA bundles, etcd's self-signed certificates for
 * --auto-tls and --peer-auto-tls, and etcd's (Go's) cipher suite names. The result is a plain JDK
 * {@link javax.net.ssl.SSLContext} per side: no gRPC, no Netty here, so the gRPC server, the
 * clients that dial other members and the peer transport can all use it.
 */
package io.cairn.engine.tls;
