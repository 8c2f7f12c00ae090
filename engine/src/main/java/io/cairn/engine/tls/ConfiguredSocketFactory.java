package io.cairn.engine.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Client sockets from the JDK's factory with a member's TLS parameters (protocols, cipher suites)
 * set on each, as {@link TlsContext}'s engines get them. For the one blocking client a member has:
 * a joining member's {@code GET /members} through {@code HttpsURLConnection}, which checks the
 * host name itself.
 */
final class ConfiguredSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory jdk;
    private final SSLParameters parameters;

    ConfiguredSocketFactory(final SSLSocketFactory jdk, final SSLParameters parameters) {
        this.jdk = jdk;
        this.parameters = parameters;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return parameters.getCipherSuites().clone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return jdk.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return configured(jdk.createSocket());
    }

    @Override
    public Socket createSocket(final Socket layered, final String host, final int port, final boolean autoClose)
        throws IOException {
        return configured(jdk.createSocket(layered, host, port, autoClose));
    }

    @Override
    public Socket createSocket(final String host, final int port) throws IOException {
        return configured(jdk.createSocket(host, port));
    }

    @Override
    public Socket createSocket(final String host, final int port, final InetAddress localHost, final int localPort)
        throws IOException {
        return configured(jdk.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(final InetAddress host, final int port) throws IOException {
        return configured(jdk.createSocket(host, port));
    }

    @Override
    public Socket createSocket(final InetAddress address, final int port, final InetAddress localAddress,
                               final int localPort) throws IOException {
        return configured(jdk.createSocket(address, port, localAddress, localPort));
    }

    private Socket configured(final Socket socket) {
        final SSLSocket tls = (SSLSocket) socket;
        final SSLParameters own = tls.getSSLParameters();
        own.setProtocols(parameters.getProtocols());
        own.setCipherSuites(parameters.getCipherSuites());
        own.setUseCipherSuitesOrder(parameters.getUseCipherSuitesOrder());
        tls.setSSLParameters(own);
        return tls;
    }
}
