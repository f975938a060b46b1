// Starts one real Pulsar Java function instance (org.apache.pulsar.functions.runtime.JavaInstanceStarter,
// from the Pulsar jars the harness prepared) with the instance's own command-line flags (--port for its
// InstanceControl gRPC service, --function_details, ...). Run with Java's source launcher:
//   java -cp '<pulsar>/lib/broker/*' InstanceLauncher.java <flags>
// The worker scenario uses it as the instance behind a Pod whose status the harness sets.
public class InstanceLauncher {
    public static void main(String[] args) throws Exception {
        ClassLoader loader = InstanceLauncher.class.getClassLoader();
        new org.apache.pulsar.functions.runtime.JavaInstanceStarter().start(args, loader, loader);
    }
}
