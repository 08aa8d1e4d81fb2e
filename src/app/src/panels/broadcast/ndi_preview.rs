//! Live video of one NDI source: ndisrc → ndisrcdemux → videoconvert, videoscale, videorate →
//! appsink, and the newest frame into a `gtk::Picture` ten times a second. Not
//! gtk4paintablesink: gst-plugin-gtk4 needs GTK 4.10 and Debian 12 has 4.8. The NDI
//! elements are linked in; they load the NDI runtime (libndi) when the preview starts.

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use relm4::gtk::{self, gdk, glib};
use roxy_ipc::broadcast::NdiSourceInfo;
use roxy_ipc::i18n::{fill, gettext};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Width of the preview; the height follows the source's shape.
const WIDTH: u32 = 480;
const FPS: u32 = 10;

/// One frame, RGBA rows of `stride` bytes.
struct Frame {
    width: u32,
    height: u32,
    stride: usize,
    data: Vec<u8>,
}

/// What the preview has shown so far, for the panel's label and for tests.
#[derive(Debug, Default)]
pub struct Shown {
    pub frames: Cell<u64>,
    /// The middle pixel of the last frame, RGBA.
    pub center: Cell<[u8; 4]>,
}

/// A running preview; dropping it stops the pipeline.
pub struct NdiPreview {
    pipeline: gst::Pipeline,
    ticker: Option<glib::SourceId>,
}

/// Registers GStreamer and the linked-in NDI elements once.
fn init() -> Result<(), String> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        gst::init().map_err(|e| e.to_string())?;
        // Someone else in this process (a test's NDI sender) may have registered it first.
        match gstndi::plugin_register_static() {
            Err(_) if gst::ElementFactory::find("ndisrc").is_some() => Ok(()),
            other => other.map_err(|e| e.to_string()),
        }
    })
    .clone()
}

/// `host:port` to reach the sender directly, so no NDI discovery (avahi) is needed.
fn url_address(source: &NdiSourceInfo) -> Option<String> {
    let address = source.addresses.first()?;
    Some(if address.contains(':') {
        format!("[{address}]:{}", source.port)
    } else {
        format!("{address}:{}", source.port)
    })
}

/// Turns GStreamer's error into a sentence that says what to do.
fn explain(error: &str) -> String {
    if error.contains("Failed loading NDI SDK") || error.contains("NDI SDK") {
        gettext("The NDI runtime (libndi) is not installed, so NDI video cannot be shown. Install NDI Tools, or run build-aux/fetch-ndi.sh, and open the preview again.")
    } else {
        fill(
            &gettext("The NDI preview stopped: {}. Check that the sender is still running."),
            &[&error],
        )
    }
}

impl NdiPreview {
    /// Starts showing `source` in `picture`; `problem` hears why it stopped, if it does.
    pub fn start(
        source: &NdiSourceInfo,
        picture: &gtk::Picture,
        shown: Rc<Shown>,
        problem: impl Fn(String) + 'static,
    ) -> Result<Self, String> {
        init()?;
        let description = format!(
            "ndisrc name=src connect-timeout=5000 ! ndisrcdemux name=demux \
             demux.video ! queue max-size-buffers=2 leaky=downstream ! videoconvert ! videoscale ! \
             videorate ! video/x-raw,format=RGBA,width={WIDTH},pixel-aspect-ratio=1/1,framerate={FPS}/1 ! \
             appsink name=sink max-buffers=1 drop=true sync=false"
        );
        let pipeline = gst::parse::launch(&description)
            .map_err(|e| e.to_string())?
            .downcast::<gst::Pipeline>()
            .map_err(|_| "the preview pipeline is not a pipeline".to_owned())?;
        let src = pipeline.by_name("src").ok_or("no ndisrc")?;
        src.set_property("ndi-name", &source.name);
        if let Some(address) = url_address(source) {
            src.set_property("url-address", address);
        }
        let sink = pipeline
            .by_name("sink")
            .and_then(|s| s.downcast::<gst_app::AppSink>().ok())
            .ok_or("no appsink")?;
        let latest: Arc<Mutex<Option<Frame>>> = Arc::default();
        let slot = latest.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if let Some(frame) = frame_of(&sample) {
                        *slot.lock().unwrap() = Some(frame);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| explain(&e.to_string()))?;

        let bus = pipeline.bus().ok_or("no bus")?;
        let weak_picture = picture.downgrade();
        let weak_pipeline = pipeline.downgrade();
        let ticker =
            glib::timeout_add_local(Duration::from_millis(1000 / u64::from(FPS)), move || {
                let Some(picture) = weak_picture.upgrade() else {
                    return glib::ControlFlow::Break;
                };
                if let Some(message) = bus.pop_filtered(&[gst::MessageType::Error]) {
                    if let gst::MessageView::Error(err) = message.view() {
                        tracing::warn!("NDI preview: {} ({:?})", err.error(), err.debug());
                        problem(explain(&err.error().to_string()));
                    }
                    if let Some(pipeline) = weak_pipeline.upgrade() {
                        let _ = pipeline.set_state(gst::State::Null);
                    }
                    return glib::ControlFlow::Break;
                }
                let frame = latest.lock().unwrap().take();
                if let Some(frame) = frame {
                    show(&picture, frame, &shown);
                }
                glib::ControlFlow::Continue
            });
        Ok(Self {
            pipeline,
            ticker: Some(ticker),
        })
    }
}

impl Drop for NdiPreview {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            // Already gone when the ticker stopped itself after an error.
            if glib::MainContext::default()
                .find_source_by_id(&ticker)
                .is_some()
            {
                ticker.remove();
            }
        }
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

fn frame_of(sample: &gst::Sample) -> Option<Frame> {
    let caps = sample.caps()?;
    let structure = caps.structure(0)?;
    let width = u32::try_from(structure.get::<i32>("width").ok()?).ok()?;
    let height = u32::try_from(structure.get::<i32>("height").ok()?).ok()?;
    let buffer = sample.buffer()?;
    let map = buffer.map_readable().ok()?;
    let stride = map.len() / height.max(1) as usize;
    (stride >= width as usize * 4).then(|| Frame {
        width,
        height,
        stride,
        data: map.to_vec(),
    })
}

fn show(picture: &gtk::Picture, frame: Frame, shown: &Shown) {
    let middle = (frame.height as usize / 2) * frame.stride + (frame.width as usize / 2) * 4;
    if let Some(pixel) = frame.data.get(middle..middle + 4) {
        shown.center.set([pixel[0], pixel[1], pixel[2], pixel[3]]);
    }
    let texture = gdk::MemoryTexture::new(
        frame.width as i32,
        frame.height as i32,
        gdk::MemoryFormat::R8g8b8a8,
        // The frame's own bytes: no second copy per frame.
        &glib::Bytes::from_owned(frame.data),
        frame.stride,
    );
    picture.set_paintable(Some(&texture));
    shown.frames.set(shown.frames.get() + 1);
}
