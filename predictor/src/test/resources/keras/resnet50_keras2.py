"""Writes resnet50_keras2.json: Keras applications' ResNet50 (include_top=True) in the layout of
Keras 2 model.to_json(), layer by layer as keras/applications/resnet.py builds it."""
import json

layers = []

def ref(name):
    return [name, 0, 0, {}]

def add(cls, name, config, inbound):
    cfg = {"name": name, "trainable": True, "dtype": "float32"}
    cfg.update(config)
    layers.append({"class_name": cls, "config": cfg, "name": name,
                   "inbound_nodes": [[ref(i) for i in inbound]] if inbound else []})
    return name

INIT = {"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}

def conv(x, filters, kernel, name, strides=1, padding="valid"):
    cfg = {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
           "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
           "activation": "linear", "use_bias": True}
    cfg.update(INIT)
    return add("Conv2D", name, cfg, [x])

def bn(x, name):
    return add("BatchNormalization", name, {
        "axis": [3], "momentum": 0.99, "epsilon": 1.001e-05, "center": True, "scale": True,
        "beta_initializer": {"class_name": "Zeros", "config": {}},
        "gamma_initializer": {"class_name": "Ones", "config": {}},
        "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
        "moving_variance_initializer": {"class_name": "Ones", "config": {}},
        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
        "gamma_constraint": None}, [x])

def relu(x, name):
    return add("Activation", name, {"activation": "relu"}, [x])

def block1(x, filters, name, stride=1, conv_shortcut=True):
    if conv_shortcut:
        shortcut = conv(x, 4 * filters, 1, name + "_0_conv", strides=stride)
        shortcut = bn(shortcut, name + "_0_bn")
    else:
        shortcut = x
    x = conv(x, filters, 1, name + "_1_conv", strides=stride)
    x = relu(bn(x, name + "_1_bn"), name + "_1_relu")
    x = conv(x, filters, 3, name + "_2_conv", padding="same")
    x = relu(bn(x, name + "_2_bn"), name + "_2_relu")
    x = conv(x, 4 * filters, 1, name + "_3_conv")
    x = bn(x, name + "_3_bn")
    x = add("Add", name + "_add", {}, [shortcut, x])
    return relu(x, name + "_out")

def stack1(x, filters, blocks, name, stride1=2):
    x = block1(x, filters, name + "_block1", stride=stride1)
    for i in range(2, blocks + 1):
        x = block1(x, filters, name + "_block" + str(i), conv_shortcut=False)
    return x

x = add("InputLayer", "input_1", {"batch_input_shape": [None, 224, 224, 3], "sparse": False, "ragged": False}, [])
x = add("ZeroPadding2D", "conv1_pad", {"padding": [[3, 3], [3, 3]], "data_format": "channels_last"}, [x])
x = conv(x, 64, 7, "conv1_conv", strides=2)
x = relu(bn(x, "conv1_bn"), "conv1_relu")
x = add("ZeroPadding2D", "pool1_pad", {"padding": [[1, 1], [1, 1]], "data_format": "channels_last"}, [x])
x = add("MaxPooling2D", "pool1_pool", {"pool_size": [3, 3], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}, [x])
x = stack1(x, 64, 3, "conv2", stride1=1)
x = stack1(x, 128, 4, "conv3")
x = stack1(x, 256, 6, "conv4")
x = stack1(x, 512, 3, "conv5")
x = add("GlobalAveragePooling2D", "avg_pool", {"data_format": "channels_last", "keepdims": False}, [x])
dense = {"units": 1000, "activation": "softmax", "use_bias": True}
dense.update(INIT)
x = add("Dense", "predictions", dense, [x])
# InputLayer configs carry no "trainable" in Keras 2.
layers[0]["config"].pop("trainable")

model = {"class_name": "Functional",
         "config": {"name": "resnet50", "layers": layers,
                    "input_layers": [["input_1", 0, 0]], "output_layers": [["predictions", 0, 0]]},
         "keras_version": "2.13.1", "backend": "tensorflow"}
with open("resnet50_keras2.json", "w") as out:
    json.dump(model, out, separators=(", ", ": "))
    out.write("\n")
print(len(layers), "layers")
