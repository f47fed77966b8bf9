import java.io.File;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local on 127.0.0.1 only, for `python -m generator serve` (localapi/dynamodb_local.py
 * compiles this file once, into the cache beside DynamoDBLocal.jar).
 *
 * <p>DynamoDB Local's own main class binds every interface ({@code new Server(port)}) and has no
 * option to choose one. This one builds the same server from the same options, then, before it
 * starts, binds its connector to 127.0.0.1 on a port the system picks (no race with another
 * process for a port chosen beforehand), prints that port on one line, and runs until its
 * standard input closes: when serve stops or dies, so does DynamoDB Local, and its temporary
 * folder goes with it.
 */
public final class LoopbackDynamoDBLocal {
    /** The line serve waits for, followed by the port. */
    private static final String READY = "DynamoDB Local listening on 127.0.0.1 port ";

    private LoopbackDynamoDBLocal() {}

    public static void main(String[] options) throws Exception {
        // The private temporary folder serve made for it goes when it exits, even when serve
        // died and cannot remove it (registered first, it is deleted last: once empty).
        new File(System.getProperty("java.io.tmpdir")).deleteOnExit();
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(options);
        // DynamoDBProxyServer keeps its Jetty server private and offers no other way to it.
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        Connector[] connectors = server.getConnectors();
        if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector)) {
            throw new IllegalStateException("expected one ServerConnector, found " + connectors.length);
        }
        ServerConnector connector = (ServerConnector) connectors[0];
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        proxy.start();
        System.out.println(READY + connector.getLocalPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing is sent: only the end of the input matters
        }
        System.exit(0);
    }
}
