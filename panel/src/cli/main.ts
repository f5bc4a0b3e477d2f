console.log('cloudexport: not built yet');
