import concurrent.futures
import sys
import sysconfig

print('Python', sys.version.split()[0])
# Py_GIL_DISABLED is 1 only in a free-threaded build (python3.13t, python3.14t).
print('free-threaded build:', 'yes' if sysconfig.get_config_var('Py_GIL_DISABLED') else 'no')
# sys._is_gil_enabled() arrived in 3.13; before it, every build had the GIL.
gil = sys._is_gil_enabled() if hasattr(sys, '_is_gil_enabled') else True
print('the GIL is on in this run:', 'yes' if gil else 'no')
# InterpreterPoolExecutor arrived in 3.14.
print('InterpreterPoolExecutor:', 'yes' if hasattr(concurrent.futures, 'InterpreterPoolExecutor') else 'no')
