"""An independent DNS-SD implementation (python-zeroconf) for the discovery tests.

  zeroconf_peer.py browse               print what it sees of _p2pchat._tcp, one JSON per line
  zeroconf_peer.py register NAME PORT ADDRESS [KEY=VALUE ...]
                                        announce a service until stdin closes, then goodbye

Every line printed is one JSON object; the process ends when stdin closes.
"""

import json
import socket
import sys
import threading

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

TYPE = "_p2pchat._tcp.local."


def say(event):
    print(json.dumps(event), flush=True)


def browse(zc):
    lock = threading.Lock()

    def changed(zeroconf, service_type, name, state_change):
        # Resolving inside the handler would block zeroconf's own thread: do it in another.
        def report():
            event = {"event": state_change.name.lower(), "name": name}
            if state_change is not ServiceStateChange.Removed:
                info = zeroconf.get_service_info(service_type, name, timeout=3000)
                if info is not None:
                    event["port"] = info.port
                    event["addresses"] = info.parsed_addresses()
                    event["server"] = info.server
                    event["txt"] = {
                        k.decode(): (v.decode() if v is not None else None)
                        for k, v in info.properties.items()
                    }
            with lock:
                say(event)

        threading.Thread(target=report, daemon=True).start()

    ServiceBrowser(zc, TYPE, handlers=[changed])
    say({"event": "browsing"})


def register(zc, name, port, address, pairs):
    properties = dict(pair.split("=", 1) for pair in pairs)
    info = ServiceInfo(
        TYPE,
        f"{name}.{TYPE}",
        addresses=[socket.inet_aton(address)],
        port=int(port),
        properties=properties,
        server=f"zeroconf-peer-{port}.local.",
    )
    zc.register_service(info)
    say({"event": "registered", "name": info.name})
    return info


def main():
    zc = Zeroconf(ip_version=IPVersion.V4Only)
    info = None
    try:
        if sys.argv[1] == "browse":
            browse(zc)
        else:
            info = register(zc, sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        sys.stdin.read()  # until the test closes stdin
        if info is not None:
            zc.unregister_service(info)
            say({"event": "unregistered"})
    finally:
        zc.close()


if __name__ == "__main__":
    main()
