# The layers, bottom first, and what each may include (besides itself and the system's and
# libraries' headers). A folder is a layer; a file belongs to the folder it sits in. The
# top-level CMakeLists.txt builds one static library per layer and links each to the layers
# below it, in this order; cmake/check_layers.cmake fails the build when a file includes a
# header of a layer its own may not include (a static library cannot stop that by itself: an
# include needs no link). The README's "Code map" says what each layer owns.
set(CUSTOMSD_LAYERS
  common
  storage
  wechatpay
  daemon/intake
  daemon/config
  daemon/process
  daemon/merchants
  daemon/workflow
  daemon/alerts
  daemon/metrics
  daemon/api
  daemon/service
  daemon/commands
  daemon
)
set(CUSTOMSD_MAY_INCLUDE_common "")
set(CUSTOMSD_MAY_INCLUDE_storage common)
set(CUSTOMSD_MAY_INCLUDE_wechatpay common)
set(CUSTOMSD_MAY_INCLUDE_daemon/intake common)
set(CUSTOMSD_MAY_INCLUDE_daemon/config common daemon/intake)
set(CUSTOMSD_MAY_INCLUDE_daemon/process common storage daemon/config)
set(CUSTOMSD_MAY_INCLUDE_daemon/merchants common storage wechatpay daemon/config daemon/process)
set(CUSTOMSD_MAY_INCLUDE_daemon/workflow common storage wechatpay daemon/config daemon/process)
set(CUSTOMSD_MAY_INCLUDE_daemon/alerts common storage wechatpay daemon/config daemon/process)
set(CUSTOMSD_MAY_INCLUDE_daemon/metrics
    common storage wechatpay daemon/config daemon/process daemon/workflow)
set(CUSTOMSD_MAY_INCLUDE_daemon/api
    common storage wechatpay daemon/intake daemon/config daemon/process daemon/workflow)
set(CUSTOMSD_MAY_INCLUDE_daemon/service
    common storage wechatpay daemon/intake daemon/config daemon/process daemon/merchants
    daemon/workflow daemon/alerts daemon/metrics daemon/api)
set(CUSTOMSD_MAY_INCLUDE_daemon/commands
    common storage wechatpay daemon/intake daemon/config daemon/process daemon/merchants
    daemon/workflow daemon/alerts daemon/metrics daemon/api daemon/service)
set(CUSTOMSD_MAY_INCLUDE_daemon common daemon/commands)
