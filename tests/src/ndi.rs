//! A real NDI sender: GStreamer's videotestsrc into ndisink (gst-plugin-ndi over the NDI
//! runtime from `build-aux/fetch-ndi.sh`), announced over mDNS on loopback the way NDI senders
//! announce themselves, so roxyd finds it. Stopped when dropped.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::time::{Duration, Instant};

pub struct NdiSender {
    pipeline: gst::Pipeline,
    responder: mdns_sd::ServiceDaemon,
    /// The name roxyd lists it under.
    pub name: String,
}

impl NdiSender {
    /// Sends solid red 320×180 video at 10 fps as `source` and announces it as
    /// "ROXY-TEST (source)". Needs NDI_RUNTIME_DIR_V6 (test.sh sets it) and a private network.
    pub fn start(source: &str) -> Result<Self, String> {
        gst::init().map_err(|e| e.to_string())?;
        if gst::ElementFactory::find("ndisink").is_none() {
            gstndi::plugin_register_static().map_err(|e| e.to_string())?;
        }
        let pipeline = gst::parse::launch(
            "videotestsrc pattern=red is-live=true ! \
             video/x-raw,format=UYVY,width=320,height=180,framerate=10/1 ! ndisink name=sink",
        )
        .map_err(|e| e.to_string())?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline".to_owned())?;
        pipeline
            .by_name("sink")
            .ok_or("no ndisink")?
            .set_property("ndi-name", source);
        let before = ndi_ports();
        pipeline.set_state(gst::State::Playing).map_err(|e| {
            format!("the NDI sender does not start (is NDI_RUNTIME_DIR_V6 set?): {e}")
        })?;
        // The runtime opens its port once the sender exists; without avahi it cannot announce
        // it, so the test does, as the NDI runtime would.
        let deadline = Instant::now() + Duration::from_secs(10);
        let port = loop {
            if let Some(port) = ndi_ports().into_iter().find(|p| !before.contains(p)) {
                break port;
            }
            if Instant::now() > deadline {
                let _ = pipeline.set_state(gst::State::Null);
                return Err("the NDI sender opened no port in 5961–5999".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let name = format!("ROXY-TEST ({source})");
        let responder = mdns_sd::ServiceDaemon::new().map_err(|e| e.to_string())?;
        let service = mdns_sd::ServiceInfo::new(
            "_ndi._tcp.local.",
            &name,
            "roxy-test.local.",
            "127.0.0.1",
            port,
            None,
        )
        .map_err(|e| e.to_string())?;
        responder.register(service).map_err(|e| e.to_string())?;
        Ok(Self {
            pipeline,
            responder,
            name,
        })
    }
}

impl Drop for NdiSender {
    fn drop(&mut self) {
        let _ = self.responder.shutdown();
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// TCP ports in NDI's source range that something in this network namespace listens on.
fn ndi_ports() -> Vec<u16> {
    crate::listening_ports()
        .into_iter()
        .filter(|p| (5961..=5999).contains(p))
        .collect()
}
