/*
 * Reads version knowledge out of an installed Tomcat by reflection, for clustercheck.
 *
 * Run by tools/knowledge/generate.py (which compiles it into a temporary directory and puts the
 * Tomcat jars on the class path); prints one JSON object on standard output:
 *
 *   version    ServerInfo's number of the jars on the class path
 *   elements   every server.xml element pattern the start Digester (Catalina.createStartDigester)
 *              has rules for: the class it creates (its default and the attribute that overrides
 *              it), the type the parent's add/set method takes (SetNextRule), whether attributes
 *              become properties (SetPropertiesRule) and which it leaves out, the other rules
 *   fake       the Digester's fake attributes (never set as properties), per class
 *   classes    every public concrete class in the given jars with a public no-arg constructor
 *              that the Digester could create for an element (it is of a type some SetNextRule
 *              takes, or a ProtocolHandler, or an element's fixed class): the types it has, its
 *              public one-argument setX methods (what IntrospectionUtils.setProperty can call)
 *              with their parameter types, a setProperty(String, String) fallback and what it
 *              returns, and the value each getter returns on a fresh instance
 *   connector  per protocol as written in protocol="...", the handler and endpoint classes a
 *              fresh Connector gets, and the defaults read through the Connector, its handler,
 *              its endpoint and the endpoint's SocketProperties (socket.*)
 *
 * Nothing is started: objects are only constructed and their getters read.
 */

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

public class TomcatKnowledge {

    private static final String[] PROTOCOLS = {
        "HTTP/1.1", "AJP/1.3",
        "org.apache.coyote.http11.Http11Nio2Protocol", "org.apache.coyote.ajp.AjpNio2Protocol",
    };
    private static final String[] EXTRA_TYPES = {
        "org.apache.coyote.ProtocolHandler", "org.apache.coyote.UpgradeProtocol",
    };

    public static void main(String[] args) throws Exception {
        ClassLoader loader = TomcatKnowledge.class.getClassLoader();
        Map<String, Object> out = new TreeMap<>();
        out.put("version", Class.forName("org.apache.catalina.util.ServerInfo")
                .getMethod("getServerNumber").invoke(null));
        out.put("java", System.getProperty("java.version"));

        Object digester = startDigester();
        TreeSet<String> types = new TreeSet<>();
        TreeSet<String> fixed = new TreeSet<>();
        out.put("elements", elements(digester, types, fixed));
        out.put("fake", fake(digester));
        for (String t : EXTRA_TYPES) {
            types.add(t);
        }

        List<Class<?>> kinds = new ArrayList<>();
        for (String t : types) {
            try {
                kinds.add(Class.forName(t, false, loader));
            } catch (Throwable e) {
                System.err.println("type not loadable: " + t + ": " + e);
            }
        }
        Map<String, Object> classes = new TreeMap<>();
        Map<String, Object> skipped = new TreeMap<>();
        for (String jar : args) {
            for (String name : classNames(jar)) {
                Class<?> c;
                try {
                    c = Class.forName(name, false, loader);
                } catch (Throwable e) {
                    skipped.put(name, e.getClass().getSimpleName());
                    continue;
                }
                List<String> has = new ArrayList<>();
                for (Class<?> k : kinds) {
                    if (k.isAssignableFrom(c)) {
                        has.add(k.getName());
                    }
                }
                if (has.isEmpty() && !fixed.contains(name)) {
                    continue;
                }
                if (!creatable(c)) {
                    continue;
                }
                try {
                    classes.put(name, describe(c, has));
                } catch (Throwable e) {
                    skipped.put(name, e.getClass().getSimpleName());
                }
            }
        }
        out.put("classes", classes);
        out.put("skipped", skipped);
        out.put("connector", connectors());
        StringBuilder sb = new StringBuilder();
        json(sb, out);
        System.out.println(sb);
        System.out.flush();
        System.exit(0); // whatever a constructor may have left running
    }

    // ------------------------------------------------------------------------------ Digester

    private static Object startDigester() throws Exception {
        Class<?> catalina = Class.forName("org.apache.catalina.startup.Catalina");
        Object instance = catalina.getConstructor().newInstance();
        Method create = catalina.getDeclaredMethod("createStartDigester");
        create.setAccessible(true);
        return create.invoke(instance);
    }

    private static Object field(Object o, Class<?> declaring, String name) throws Exception {
        Field f = declaring.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static Class<?> superNamed(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (k.getName().equals(name)) {
                return k;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> elements(Object digester, TreeSet<String> types,
            TreeSet<String> fixed) throws Exception {
        Object rules = digester.getClass().getMethod("getRules").invoke(digester);
        Class<?> base = superNamed(rules.getClass(), "org.apache.tomcat.util.digester.RulesBase");
        Map<String, List<Object>> cache = (Map<String, List<Object>>) field(rules, base, "cache");
        Map<String, Object> result = new TreeMap<>();
        for (Map.Entry<String, List<Object>> e : cache.entrySet()) {
            Map<String, Object> element = new TreeMap<>();
            List<String> other = new ArrayList<>();
            for (Object rule : e.getValue()) {
                Class<?> rc = rule.getClass();
                Class<?> create = superNamed(rc, "org.apache.tomcat.util.digester.ObjectCreateRule");
                Class<?> next = superNamed(rc, "org.apache.tomcat.util.digester.SetNextRule");
                Class<?> props = superNamed(rc, "org.apache.tomcat.util.digester.SetPropertiesRule");
                if (create != null) {
                    String cls = (String) field(rule, create, "className");
                    element.put("class", cls);
                    element.put("class_attribute", field(rule, create, "attributeName"));
                    element.put("create", rc.getName());
                    if (cls != null) {
                        fixed.add(cls);
                    }
                } else if (next != null) {
                    String type = (String) field(rule, next, "paramType");
                    element.put("type", type);
                    element.put("next", field(rule, next, "methodName"));
                    if (type != null) {
                        types.add(type);
                    }
                } else if (props != null) {
                    Map<String, String> excludes = (Map<String, String>) field(rule, props, "excludes");
                    element.put("properties", true);
                    element.put("excludes", excludes == null ? new ArrayList<String>()
                            : new ArrayList<>(new TreeSet<>(excludes.keySet())));
                } else if (rc.getName().endsWith("ConnectorCreateRule")) {
                    element.put("create", rc.getName());
                    element.put("class", "org.apache.catalina.connector.Connector");
                    fixed.add("org.apache.catalina.connector.Connector");
                } else if (rc.getName().endsWith("CertificateCreateRule")) {
                    element.put("create", rc.getName());
                    element.put("class", "org.apache.tomcat.util.net.SSLHostConfigCertificate");
                } else {
                    other.add(rc.getName());
                }
            }
            if (!other.isEmpty()) {
                element.put("rules", other);
            }
            result.put(e.getKey(), element);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fake(Object digester) throws Exception {
        Map<Class<?>, List<String>> fake =
                (Map<Class<?>, List<String>>) digester.getClass().getMethod("getFakeAttributes").invoke(digester);
        Map<String, Object> result = new TreeMap<>();
        if (fake != null) {
            for (Map.Entry<Class<?>, List<String>> e : fake.entrySet()) {
                result.put(e.getKey().getName(), new ArrayList<>(new TreeSet<>(e.getValue())));
            }
        }
        return result;
    }

    // ------------------------------------------------------------------------------- classes

    private static List<String> classNames(String jar) throws Exception {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(new File(jar))) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String n = entries.nextElement().getName();
                if (n.endsWith(".class") && !n.contains("$") && !n.startsWith("META-INF/")) {
                    names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                }
            }
        }
        return names;
    }

    private static boolean creatable(Class<?> c) {
        int m = c.getModifiers();
        if (!Modifier.isPublic(m) || Modifier.isAbstract(m) || c.isInterface()) {
            return false;
        }
        try {
            Constructor<?> k = c.getConstructor();
            return Modifier.isPublic(k.getModifiers());
        } catch (Throwable e) {
            return false;
        }
    }

    private static String typeName(Class<?> t) {
        if (t.isArray()) {
            return typeName(t.getComponentType()) + "[]";
        }
        if (t.isPrimitive()) {
            return t.getName();
        }
        if (t.getName().startsWith("java.lang.") && t.getName().indexOf('.', 10) < 0) {
            return t.getSimpleName();
        }
        if (t == InetAddress.class) {
            return "InetAddress";
        }
        return t.getName();
    }

    private static Map<String, Object> describe(Class<?> c, List<String> types) {
        Map<String, Object> d = new TreeMap<>();
        d.put("types", types);
        Map<String, TreeSet<String>> setters = new TreeMap<>();
        String fallback = null;
        for (Method m : c.getMethods()) {
            Class<?>[] p = m.getParameterTypes();
            String n = m.getName();
            if (n.equals("setProperty") && p.length == 2) {
                String r = m.getReturnType() == Boolean.TYPE ? "boolean" : "void";
                fallback = fallback == null || fallback.equals(r) ? r : "boolean+void";
            }
            if (n.startsWith("set") && n.length() > 3 && p.length == 1) {
                setters.computeIfAbsent(n.substring(3), k -> new TreeSet<>()).add(typeName(p[0]));
            }
        }
        Map<String, Object> s = new TreeMap<>();
        for (Map.Entry<String, TreeSet<String>> e : setters.entrySet()) {
            s.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        d.put("setters", s);
        if (fallback != null) {
            d.put("fallback", fallback);
        }
        Object instance = null;
        try {
            instance = c.getConstructor().newInstance();
        } catch (Throwable e) {
            d.put("instance_error", e.getClass().getSimpleName());
        }
        if (instance != null) {
            d.put("defaults", defaults(instance, setters.keySet()));
        }
        return d;
    }

    // ------------------------------------------------------------------------------ defaults

    /** The value of getX()/isX() on this object for each setter suffix X, where it is plain. */
    private static Map<String, Object> defaults(Object o, Collection<String> names) {
        Map<String, Object> d = new TreeMap<>();
        for (String name : names) {
            Method getter = null;
            for (Method m : o.getClass().getMethods()) {
                if (m.getParameterCount() == 0 && plain(m.getReturnType())
                        && (m.getName().equals("get" + name) || m.getName().equals("is" + name))) {
                    getter = m;
                    break;
                }
            }
            if (getter == null) {
                continue;
            }
            try {
                Object v = getter.invoke(o);
                if (v == null) {
                    d.put(name, null);
                } else if (v instanceof String || v instanceof Number || v instanceof Boolean
                        || v instanceof Character) {
                    d.put(name, v.toString());
                } else if (v instanceof Enum) {
                    d.put(name, ((Enum<?>) v).name());
                } else if (v instanceof InetAddress) {
                    d.put(name, ((InetAddress) v).getHostAddress());
                }
            } catch (Throwable e) {
                // a getter that needs a started object says nothing about a default
            }
        }
        return d;
    }

    /** A getter worth calling: its value can be written down (and calling it builds nothing). */
    private static boolean plain(Class<?> t) {
        return t.isPrimitive() && t != Void.TYPE || t == String.class || t.isEnum()
                || Number.class.isAssignableFrom(t) || t == Boolean.class || t == Character.class
                || t == InetAddress.class;
    }

    private static Map<String, Object> connectors() throws Exception {
        Map<String, Object> result = new TreeMap<>();
        Class<?> connectorClass = Class.forName("org.apache.catalina.connector.Connector");
        Class<?> abstractProtocol = Class.forName("org.apache.coyote.AbstractProtocol");
        Method getEndpoint = abstractProtocol.getDeclaredMethod("getEndpoint");
        getEndpoint.setAccessible(true);
        for (String protocol : PROTOCOLS) {
            Map<String, Object> p = new TreeMap<>();
            Object connector = connectorClass.getConstructor(String.class).newInstance(protocol);
            Object handler = connectorClass.getMethod("getProtocolHandler").invoke(connector);
            Object endpoint = getEndpoint.invoke(handler);
            Object socket = endpoint.getClass().getMethod("getSocketProperties").invoke(endpoint);
            p.put("handler", handler.getClass().getName());
            p.put("endpoint", endpoint.getClass().getName());
            p.put("socket", socket.getClass().getName());
            p.put("connector_defaults", defaults(connector, setterNames(connectorClass)));
            p.put("handler_defaults", defaults(handler, setterNames(handler.getClass())));
            p.put("endpoint_defaults", defaults(endpoint, setterNames(endpoint.getClass())));
            p.put("socket_defaults", defaults(socket, setterNames(socket.getClass())));
            Map<String, Object> endpointClass = describe(endpoint.getClass(), new ArrayList<>());
            endpointClass.remove("defaults");
            p.put("endpoint_class", endpointClass);
            Map<String, Object> socketClass = describe(socket.getClass(), new ArrayList<>());
            socketClass.remove("defaults");
            p.put("socket_class", socketClass);
            result.put(protocol, p);
        }
        return result;
    }

    private static List<String> setterNames(Class<?> c) {
        TreeSet<String> names = new TreeSet<>();
        for (Method m : c.getMethods()) {
            if (m.getName().startsWith("set") && m.getName().length() > 3 && m.getParameterCount() == 1) {
                names.add(m.getName().substring(3));
            }
        }
        return new ArrayList<>(names);
    }

    // ---------------------------------------------------------------------------------- JSON

    private static void json(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                json(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Collection<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                json(sb, o);
            }
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
